/**
 * npm run bench:config — full config pipeline (preprocess, structure, domain validation) on a
 * generated ~20,000-line configuration. Writes median time and peak RSS/heap to
 * bench/results/config.json with the machine and Node version. Target: median under 300 ms.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/pipeline.js';
import { FakeConfigEnvironment } from '../test/support/config-fake-env.js';
import { generateBenchConfig } from './config-generate.js';

const RUNS = 9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function main(): void {
  const gen = generateBenchConfig();
  const env = new FakeConfigEnvironment({ files: { '/etc/keepalived/keepalived.conf': gen.text }, interfaces: gen.interfaces });
  const times: number[] = [];
  let peakRss = 0;
  let peakHeap = 0;
  let diagnostics = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const result = loadConfig('/etc/keepalived/keepalived.conf', env);
    times.push(performance.now() - t0);
    diagnostics = result.diagnostics.list.length;
    const mem = process.memoryUsage();
    peakRss = Math.max(peakRss, mem.rss);
    peakHeap = Math.max(peakHeap, mem.heapUsed);
  }
  const out = {
    benchmark: 'config pipeline (loadConfig) on a generated config',
    configLines: gen.lines,
    realServers: 2000,
    vrrpInstances: 200,
    runs: RUNS,
    medianMs: Number(median(times).toFixed(1)),
    minMs: Number(Math.min(...times).toFixed(1)),
    maxMs: Number(Math.max(...times).toFixed(1)),
    targetMs: 300,
    peakRssMiB: Number((peakRss / 2 ** 20).toFixed(1)),
    peakHeapUsedMiB: Number((peakHeap / 2 ** 20).toFixed(1)),
    diagnostics,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memGiB: Number((totalmem() / 2 ** 30).toFixed(1)), loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)) },
    node: process.version,
    date: new Date().toISOString(),
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const resultsDir = join(here, '..', '..', 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'config.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
