/**
 * corpus-compare: runs our config pipeline in-process on every config of the conformance corpus
 * (/work/shared/corpus/keepalived-conf, see its README.md) and compares exit codes and diagnostic
 * lines with keepalived 2.2.7's verdicts.
 *
 *   npm run corpus:compare -- [--only PATH]... [--diff] [--json] [--corpus DIR] [--groups N]
 *
 * --only PATH   restrict to manifest paths equal to PATH or starting with it (repeatable)
 * --diff        print a line diff (- expected, + ours) for each disagreeing config
 * --json        print one JSON document (summary + per-config results) instead of text
 * --groups N    how many disagreement groups to print (default 40)
 */
import { realEnvironment } from './support/corpus-env.js';
import {
  disagreementKey,
  lineDiff,
  readInterfaces,
  readManifest,
  runOne,
  type CompareResult,
} from './support/corpus-compare-core.js';

interface Options {
  only: string[];
  diff: boolean;
  json: boolean;
  corpus: string;
  groups: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { only: [], diff: false, json: false, corpus: '/work/shared/corpus/keepalived-conf', groups: 40 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only.push(argv[++i] ?? '');
    else if (a === '--diff') o.diff = true;
    else if (a === '--json') o.json = true;
    else if (a === '--corpus') o.corpus = argv[++i] ?? o.corpus;
    else if (a === '--groups') o.groups = Number(argv[++i] ?? '40');
    else throw new Error(`unknown option ${a ?? ''}`);
  }
  return o;
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`;
}

function summarise(results: readonly CompareResult[]) {
  const exitAgree = results.filter((r) => r.ourExit === r.expectedExit).length;
  const linesAgree = results.filter((r) => r.linesAgree).length;
  const expectedTotal = results.reduce((s, r) => s + r.expectedLines.length, 0);
  const oursTotal = results.reduce((s, r) => s + r.ourLines.length, 0);
  const matched = results.reduce((s, r) => s + r.matchedLines, 0);
  const confusion: Record<string, number> = {};
  for (const r of results) {
    if (r.ourExit === r.expectedExit) continue;
    const k = `expected ${r.expectedExit} -> ours ${r.ourExit}`;
    confusion[k] = (confusion[k] ?? 0) + 1;
  }
  const times = results.map((r) => r.elapsedMs).sort((a, b) => a - b);
  return {
    configs: results.length,
    exitAgree,
    exitAgreePct: pct(exitAgree, results.length),
    linesAgree,
    linesAgreePct: pct(linesAgree, results.length),
    expectedLines: expectedTotal,
    ourLines: oursTotal,
    matchedLines: matched,
    lineRecallPct: pct(matched, expectedTotal),
    linePrecisionPct: pct(matched, oursTotal),
    exitConfusion: confusion,
    maxMs: times[times.length - 1] ?? 0,
    totalMs: times.reduce((s, t) => s + t, 0),
  };
}

function groupDisagreements(results: readonly CompareResult[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const r of results) {
    if (r.linesAgree && r.ourExit === r.expectedExit) continue;
    const k = disagreementKey(r);
    const list = groups.get(k) ?? [];
    list.push(r.path);
    groups.set(k, list);
  }
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const rows = readManifest(o.corpus).filter((r) => o.only.length === 0 || o.only.some((p) => r.path === p || r.path.startsWith(p)));
  const ifaces = readInterfaces(o.corpus);
  const real = realEnvironment();
  const results = rows.map((r) => runOne(o.corpus, r, ifaces.get(r.path) ?? [], real));
  const summary = summarise(results);
  const groups = groupDisagreements(results);
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ summary, groups: groups.map(([k, p]) => ({ key: k, count: p.length, paths: p })), results }, null, 1)}\n`);
    return;
  }
  const out: string[] = [];
  for (const [key, paths] of groups.slice(0, o.groups)) {
    out.push(`${String(paths.length).padStart(4)}  ${key}`);
    out.push(`      e.g. ${paths.slice(0, 4).join(' ')}`);
  }
  if (o.diff) {
    for (const r of results) {
      if (r.linesAgree && r.ourExit === r.expectedExit) continue;
      out.push('', `=== ${r.path}: exit expected ${r.expectedExit}, ours ${r.ourExit}`);
      out.push(...lineDiff(r.expectedLines, r.ourLines).filter((l, i, all) => !l.startsWith('  ') || near(all, i)));
    }
  }
  out.push(
    '',
    `configs ${summary.configs}: exit codes agree ${summary.exitAgree} (${summary.exitAgreePct}), ` +
      `diagnostic lines agree ${summary.linesAgree} (${summary.linesAgreePct})`,
    `lines: expected ${summary.expectedLines}, ours ${summary.ourLines}, matched ${summary.matchedLines} ` +
      `(recall ${summary.lineRecallPct}, precision ${summary.linePrecisionPct})`,
    `exit disagreements: ${JSON.stringify(summary.exitConfusion)}`,
    `time: total ${summary.totalMs.toFixed(0)} ms, slowest config ${summary.maxMs.toFixed(1)} ms`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Keeps context lines within 2 of a change. */
function near(all: readonly string[], i: number): boolean {
  for (let k = Math.max(0, i - 2); k <= Math.min(all.length - 1, i + 2); k++) if (!(all[k] ?? '').startsWith('  ')) return true;
  return false;
}

main();
