/**
 * Data and comparison logic of scripts/corpus-compare.ts: reads the corpus manifest, runs our
 * pipeline in-process on each config with the verdict environment, and compares exit codes and
 * diagnostic lines with keepalived 2.2.7's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTestExitCode, formatDiagnostic } from '../../src/config/diagnostics.js';
import type { ConfigEnvironment } from '../../src/config/environment.js';
import { loadConfig } from '../../src/config/pipeline.js';
import { CorpusEnvironment } from './corpus-env.js';

export interface ManifestRow {
  readonly path: string;
  readonly exitCode: number;
  readonly nErrorLines: number;
}

export interface CompareResult {
  readonly path: string;
  readonly expectedExit: number;
  readonly ourExit: number;
  readonly expectedLines: string[];
  readonly ourLines: string[];
  readonly linesAgree: boolean;
  /** Lines of ours found in expected (multiset intersection size). */
  readonly matchedLines: number;
  /** Index of the first differing line, -1 when identical. */
  readonly firstDiff: number;
  readonly elapsedMs: number;
}

function readTsv(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

export function readManifest(corpusDir: string): ManifestRow[] {
  return readTsv(join(corpusDir, 'manifest.tsv')).map((f) => ({
    path: f[0] ?? '',
    exitCode: Number(f[2]),
    nErrorLines: Number(f[3]),
  }));
}

/** path -> interface names (created ones, then the ones added from diagnostics). */
export function readInterfaces(corpusDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readTsv(join(corpusDir, 'interfaces.tsv'))) {
    const names = [...(f[1] ?? '').split(' '), ...(f[2] ?? '').split(' ')].filter((s) => s !== '');
    out.set(f[0] ?? '', names);
  }
  return out;
}

export function expectedLinesOf(corpusDir: string, path: string): string[] {
  let text = '';
  try {
    text = readFileSync(join(corpusDir, 'expected', `${path}.txt`), 'latin1');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.trim() !== '');
}

export function runOne(
  corpusDir: string,
  row: ManifestRow,
  interfaces: readonly string[],
  real: ConfigEnvironment,
): CompareResult {
  const env = new CorpusEnvironment(real, corpusDir, interfaces);
  const started = performance.now();
  const result = loadConfig(row.path, env);
  const elapsedMs = performance.now() - started;
  const ourLines = [...result.notes, ...result.diagnostics.list.map(formatDiagnostic)].filter((l) => l.trim() !== '');
  const ourExit = result.abortExitCode ?? configTestExitCode(result.diagnostics.list);
  const expectedLines = expectedLinesOf(corpusDir, row.path);
  const firstDiff = firstDifference(expectedLines, ourLines);
  return {
    path: row.path,
    expectedExit: row.exitCode,
    ourExit,
    expectedLines,
    ourLines,
    linesAgree: firstDiff < 0,
    matchedLines: multisetIntersection(expectedLines, ourLines),
    firstDiff,
    elapsedMs,
  };
}

export function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function multisetIntersection(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const l of a) counts.set(l, (counts.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of b) {
    const c = counts.get(l) ?? 0;
    if (c > 0) {
      n++;
      counts.set(l, c - 1);
    }
  }
  return n;
}

/** A message without its location prefix and with quoted values generalised, for grouping. */
export function messageKey(line: string): string {
  return line
    .replace(/^\((?:[^)]*: )?Line \d+\) /, '')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d+/g, 'N');
}

/** The grouping key of a disagreement: which side has what at the first differing line. */
export function disagreementKey(r: CompareResult): string {
  if (r.linesAgree) return `exit ${r.expectedExit} vs ours ${r.ourExit} (same lines)`;
  const exp = r.expectedLines[r.firstDiff];
  const ours = r.ourLines[r.firstDiff];
  if (exp === undefined) return `extra in ours: ${messageKey(ours ?? '')}`;
  if (ours === undefined) return `missing in ours: ${messageKey(exp)}`;
  return `expected: ${messageKey(exp)}  |  ours: ${messageKey(ours)}`;
}

/** A compact line diff (LCS on up to 2,000 lines per side). */
export function lineDiff(expected: readonly string[], ours: readonly string[]): string[] {
  const a = expected.slice(0, 2000);
  const b = ours.slice(0, 2000);
  const m = a.length;
  const n = b.length;
  const lcs: Uint16Array[] = Array.from({ length: m + 1 }, () => new Uint16Array(n + 1));
  for (let i = m - 1; i >= 0; i--) {
    const row = lcs[i] as Uint16Array;
    const below = lcs[i + 1] as Uint16Array;
    for (let j = n - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < n && (i >= m || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}
