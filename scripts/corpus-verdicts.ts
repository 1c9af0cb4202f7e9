/**
 * Regenerates the disagreement table of docs/config-compat.md from the results file written by
 * test/lab/config-corpus.test.ts (docs/config-compat-results.tsv: path, our exit code,
 * keepalived's, whether the diagnostic lines agree, line counts, note).
 *
 *   npm run corpus:doc [-- RESULTS.tsv [DOC.md]]
 *
 * The table lives between `<!-- corpus-table:begin -->` and `<!-- corpus-table:end -->`. Reasons
 * already written for a path are kept; known keepalived 2.2.7 failures get a stock reason; any other
 * new disagreement gets UNEXPLAINED, which the corpus test treats as not listed (a human must
 * write why: a deliberate improvement or a keepalived bug).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CorpusResult {
  readonly path: string;
  readonly ours: number;
  readonly keepalived: number;
  readonly diagnosticsAgree: boolean;
  readonly ourLines: number;
  readonly expectedLines: number;
  readonly note: string;
}

export const TABLE_BEGIN = '<!-- corpus-table:begin -->';
export const TABLE_END = '<!-- corpus-table:end -->';
export const UNEXPLAINED = 'UNEXPLAINED';
export const RESULTS_HEADER = 'path\tours\tkeepalived\tdiagnostics_agree\tour_lines\texpected_lines\tnote';

export function formatResults(rows: readonly CorpusResult[]): string {
  const body = rows.map((r) => [r.path, r.ours, r.keepalived, r.diagnosticsAgree ? 'yes' : 'no', r.ourLines, r.expectedLines, r.note.replace(/[\t\n]/g, ' ')].join('\t'));
  return `${[RESULTS_HEADER, ...body].join('\n')}\n`;
}

export function parseResults(text: string): CorpusResult[] {
  const out: CorpusResult[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    out.push({
      path: f[0] ?? '',
      ours: Number(f[1]),
      keepalived: Number(f[2]),
      diagnosticsAgree: f[3] === 'yes',
      ourLines: Number(f[4] ?? 0),
      expectedLines: Number(f[5] ?? 0),
      note: f[6] ?? '',
    });
  }
  return out;
}

/** Reasons of the current table, by path. */
export function parseReasons(doc: string): Map<string, string> {
  const out = new Map<string, string>();
  const start = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) return out;
  for (const line of doc.slice(start, end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | `path` | ours | keepalived | reason |
    const m = /^`(.+)`$/.exec(cells[1] ?? '');
    if (m && m[1] !== undefined && cells.length >= 6) out.set(m[1], cells[4] ?? '');
  }
  return out;
}

/** Stock reasons for the verdicts where keepalived 2.2.7 itself fails (README of the corpus). */
export function stockReason(r: CorpusResult): string | undefined {
  if (r.keepalived === 124) return 'keepalived 2.2.7 hangs forever expanding a self-referential definition (`$IF=$IF`); keepalived-ts reports it and finishes (deliberate improvement)';
  if (r.keepalived === 139) return 'keepalived 2.2.7 crashes (SIGSEGV) on this file; keepalived-ts reports the errors and finishes (keepalived bug)';
  if (r.keepalived === 143) return 'keepalived 2.2.7 kills itself with SIGTERM (a `vrrp_script` with a non-root `user` plus a `vrrp_instance`); keepalived-ts completes the check (keepalived bug)';
  return undefined;
}

export function isExplained(reason: string | undefined): boolean {
  return reason !== undefined && reason.trim() !== '' && !reason.includes(UNEXPLAINED);
}

export function disagreements(rows: readonly CorpusResult[]): CorpusResult[] {
  return rows.filter((r) => r.ours !== r.keepalived);
}

export function summaryLines(rows: readonly CorpusResult[]): string[] {
  const total = rows.length;
  const exitAgree = total - disagreements(rows).length;
  const diagAgree = rows.filter((r) => r.diagnosticsAgree).length;
  const pct = (n: number): string => (total === 0 ? '0.0' : ((100 * n) / total).toFixed(1));
  return [
    `Configs: ${total}. Exit code agrees with keepalived 2.2.7: ${exitAgree} (${pct(exitAgree)}%).`,
    `Diagnostic lines identical: ${diagAgree} (${pct(diagAgree)}%).`,
  ];
}

export function renderTable(rows: readonly CorpusResult[], reasons: ReadonlyMap<string, string>): string {
  const lines = [
    TABLE_BEGIN,
    '',
    ...summaryLines(rows),
    '',
    '| file | keepalived-ts | keepalived 2.2.7 | reason |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of disagreements(rows).sort((a, b) => a.path.localeCompare(b.path))) {
    const kept = reasons.get(r.path);
    const reason = isExplained(kept) ? kept : (stockReason(r) ?? `${UNEXPLAINED} (${r.note || 'no note'})`);
    lines.push(`| \`${r.path}\` | ${r.ours} | ${r.keepalived} | ${(reason ?? '').replace(/\|/g, '\\|')} |`);
  }
  lines.push('', TABLE_END);
  return lines.join('\n');
}

/** The doc with its table regenerated (appended when the markers are missing). */
export function updateDoc(doc: string, rows: readonly CorpusResult[]): string {
  const table = renderTable(rows, parseReasons(doc));
  const start = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) return `${doc.replace(/\n*$/, '\n\n')}${table}\n`;
  return doc.slice(0, start) + table + doc.slice(end + TABLE_END.length);
}

/** Paths whose disagreement the doc lists with a real reason. */
export function explainedPaths(doc: string): Set<string> {
  const out = new Set<string>();
  for (const [path, reason] of parseReasons(doc)) if (isExplained(reason)) out.add(path);
  return out;
}

export function repoRoot(): string {
  // dist/scripts/corpus-verdicts.js -> repository root
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const DEFAULT_RESULTS = 'docs/config-compat-results.tsv';
export const DEFAULT_DOC = 'docs/config-compat.md';

function cli(argv: readonly string[]): number {
  const root = repoRoot();
  const resultsPath = resolve(argv[0] ?? join(root, DEFAULT_RESULTS));
  const docPath = resolve(argv[1] ?? join(root, DEFAULT_DOC));
  const rows = parseResults(readFileSync(resultsPath, 'utf8'));
  const doc = updateDoc(readFileSync(docPath, 'utf8'), rows);
  writeFileSync(docPath, doc);
  const open = disagreements(rows).filter((r) => !explainedPaths(doc).has(r.path));
  process.stdout.write(`${summaryLines(rows).join('\n')}\n${docPath}: ${disagreements(rows).length} disagreements, ${open.length} UNEXPLAINED\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = cli(process.argv.slice(2));
}
