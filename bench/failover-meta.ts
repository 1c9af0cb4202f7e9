/**
 * What the failover and stress benchmarks record beside their figures: the machine, the versions
 * measured (keepalived-ts from the dist/ snapshot, keepalived 2.2.7, Node), and a median helper.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEEPALIVED_BIN } from './failover-daemons.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
  return Math.round(m * 100) / 100;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown';
}

function dirtySrc(): number {
  const r = spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((l) => l.trim() !== '').length;
}

export function machine(): Record<string, unknown> {
  const os = /PRETTY_NAME="?([^"\n]*)"?/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
  return { hostname: hostname(), os, kernel: release(), cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memoryMiB: Math.round(totalmem() / 2 ** 20) };
}

export function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return {
    keepalivedTs: `${pkg.version ?? 'unknown'} (git ${firstLine('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])}, ${dirtySrc()} uncommitted file(s) under src/; dist/ snapshot taken at start)`,
    keepalived: firstLine(KEEPALIVED_BIN, ['-v']),
    node: process.version,
  };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function loadAverages(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = loadavg().map((x) => Math.round(x * 100) / 100);
  return [a, b, c];
}

/** The fields every VRRP bench result starts with (what ran, when, how long, where, under what load). */
export function resultHeader(benchmark: string, startedMs: number, loadAtStart: readonly number[], measured: Record<string, string>): Record<string, unknown> {
  return {
    benchmark,
    date: new Date().toISOString(),
    durationS: Math.round((performance.now() - startedMs) / 1000),
    machine: machine(),
    loadAverage1m5m15m: { atStart: loadAtStart, atEnd: loadAverages() },
    versions: measured,
  };
}
