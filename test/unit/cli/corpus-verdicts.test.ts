import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainedPaths, formatResults, parseResults, updateDoc, TABLE_BEGIN, TABLE_END, type CorpusResult } from '../../../scripts/corpus-verdicts.js';

const rows: CorpusResult[] = [
  { path: 'devel-tools/ok.conf', ours: 5, keepalived: 5, diagnosticsAgree: true, ourLines: 1, expectedLines: 1, note: '' },
  { path: 'devel-tools/1719.conf', ours: 5, keepalived: 124, diagnosticsAgree: false, ourLines: 4, expectedLines: 0, note: 'x' },
  { path: 'devel-tools/new.conf', ours: 0, keepalived: 5, diagnosticsAgree: false, ourLines: 0, expectedLines: 2, note: 'line 1: ours: (nothing)' },
  { path: 'devel-tools/known.conf', ours: 0, keepalived: 6, diagnosticsAgree: false, ourLines: 0, expectedLines: 1, note: '' },
];

test('results round-trip through the TSV file', () => {
  assert.deepEqual(parseResults(formatResults(rows)), rows);
});

test('the table keeps hand-written reasons, uses stock ones, marks the rest UNEXPLAINED', () => {
  const doc = `# t\n\n${TABLE_BEGIN}\n| file | a | b | reason |\n| --- | --- | --- | --- |\n| \`devel-tools/known.conf\` | 0 | 6 | known gap: script security of notify_fifo_script |\n${TABLE_END}\ntail\n`;
  const out = updateDoc(doc, rows);
  assert.match(out, /Exit code agrees with keepalived 2\.2\.7: 1 \(25\.0%\)/);
  assert.match(out, /\| `devel-tools\/known\.conf` \| 0 \| 6 \| known gap: script security of notify_fifo_script \|/);
  assert.match(out, /\| `devel-tools\/1719\.conf` \| 5 \| 124 \| keepalived 2\.2\.7 hangs/);
  assert.match(out, /\| `devel-tools\/new\.conf` \| 0 \| 5 \| UNEXPLAINED/);
  assert.doesNotMatch(out, /ok\.conf/);
  assert.ok(out.endsWith('tail\n'));
  assert.deepEqual([...explainedPaths(out)].sort(), ['devel-tools/1719.conf', 'devel-tools/known.conf']);
  // regenerating is stable
  assert.equal(updateDoc(out, rows), out);
});

test('a doc without markers gets the table appended', () => {
  const out = updateDoc('# doc\n', rows);
  assert.ok(out.startsWith('# doc\n\n<!-- corpus-table:begin -->'));
});
