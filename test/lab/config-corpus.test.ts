/**
 * Corpus conformance: `keepalived-ts -t -f FILE` on every config of the keepalived 2.2.7 corpus
 * (shared/corpus/keepalived-conf), in the same environment the verdicts were taken in
 * (shared/corpus/verdicts.sh): a fresh network namespace per config holding the interfaces of
 * interfaces.tsv (ifb links, addressed as verdicts.sh does), then `unshare --uts --mount` with
 * hostname `corpus`, tmpfs on /mnt, /tmp and /run/netns, the corpus read-only at
 * /mnt/keepalived-conf and net_namespace aliases. The repository is bind-mounted under /mnt first
 * (it may live under /tmp in CI, which the tmpfs hides). Two configs run at a time.
 *
 * Asserts: exit-code agreement >= 95%, and every disagreeing file is listed with a reason in
 * docs/config-compat.md. Reports diagnostic-line agreement. Writes docs/config-compat-results.tsv
 * (KTS_CORPUS_RESULTS overrides) for scripts/corpus-verdicts.ts.
 * Needs root: fails (never skips) without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disagreements, explainedPaths, formatResults, summaryLines, type CorpusResult } from '../../scripts/corpus-verdicts.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CORPUS = process.env['KTS_CORPUS'] ?? '/work/shared/corpus/keepalived-conf';
const RESULTS = process.env['KTS_CORPUS_RESULTS'] ?? join(REPO, 'docs', 'config-compat-results.tsv');
const DOC = join(REPO, 'docs', 'config-compat.md');
const JOBS = 2;
const TIMEOUT_S = Number(process.env['KTS_CORPUS_TIMEOUT_S'] ?? 20);
const NS_PREFIX = `kts-cc-${process.pid}`;
const MNT_CORPUS = '/mnt/keepalived-conf';
const MNT_REPO = '/mnt/keepalived-ts';
const MIN_AGREEMENT = 0.95;

interface Row {
  readonly path: string;
  readonly keepalived: number;
  readonly interfaces: readonly string[];
  readonly netns: readonly string[];
}

function readTsv(path: string): Map<string, string[]> {
  const rows = readFileSync(path, 'utf8').split('\n').slice(1).filter((l) => l.length > 0).map((l) => l.split('\t'));
  return new Map(rows.map((r) => [r[0] ?? '', r]));
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((w) => w.length > 0);
}

function loadRows(): Row[] {
  const manifest = readTsv(join(CORPUS, 'manifest.tsv'));
  const ifaces = readTsv(join(CORPUS, 'interfaces.tsv'));
  const filter = process.env['KTS_CORPUS_FILTER'];
  const rows: Row[] = [];
  for (const [path, m] of manifest) {
    if (filter !== undefined && !path.includes(filter)) continue;
    const i = ifaces.get(path) ?? [];
    rows.push({ path, keepalived: Number(m[2]), interfaces: words(i[1]), netns: words(i[4]) });
  }
  return rows;
}

/** The `ip -batch` lines of verdicts.sh for the interface list. */
export function interfaceBatch(names: readonly string[]): string {
  const lines = ['link set lo up'];
  names.forEach((n, k) => {
    const i = k + 1;
    const hex = (v: number): string => v.toString(16).padStart(2, '0');
    lines.push(`link add ${n} address 02:00:00:00:${hex(Math.floor(i / 256))}:${hex(i % 256)} type ifb`);
    lines.push(`link set ${n} addrgenmode none`, `link set ${n} multicast on`, `link set ${n} arp on`, `link set ${n} up`);
    if (i <= 254) lines.push(`address add 192.0.2.${i}/24 dev ${n}`);
    else if (i <= 508) lines.push(`address add 198.51.100.${i - 254}/24 dev ${n}`);
    else lines.push(`address add 203.0.113.${((i - 509) % 254) + 1}/24 dev ${n}`);
    lines.push(`address add fe80::${i.toString(16)}/64 dev ${n} nodad`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * KTS_CORPUS_BINARY=/usr/sbin/keepalived runs another program instead of keepalived-ts: with the
 * real keepalived it checks the harness itself (it must reproduce the manifest exactly).
 */
const OTHER_BINARY = process.env['KTS_CORPUS_BINARY'];

/**
 * Runs inside `unshare`: $1 corpus, $2 repo, $3 timeout, $4 program, $5 config path,
 * $6 netns aliases, $7 script for the program (empty for a native binary).
 */
const INNER_SCRIPT = `set -e
hostname corpus
mount -t tmpfs -o mode=755 kts-corpus-mnt /mnt
mkdir -p ${MNT_CORPUS} ${MNT_REPO}
mount --bind "$1" ${MNT_CORPUS}
mount -o remount,bind,ro ${MNT_CORPUS}
mount --bind "$2" ${MNT_REPO}
mount -t tmpfs -o mode=1777 kts-corpus-tmp /tmp
# the verdict machine had a 'haproxy' user (script_user haproxy in 1420*.conf)
for u in haproxy; do
  if ! grep -q "^$u:" /etc/passwd; then
    mkdir -p /mnt/.kts-etc; cp /etc/passwd /mnt/.kts-etc/passwd; cp /etc/group /mnt/.kts-etc/group
    echo "$u:x:990:990::/nonexistent:/usr/sbin/nologin" >> /mnt/.kts-etc/passwd
    echo "$u:x:990:" >> /mnt/.kts-etc/group
    mount --bind /mnt/.kts-etc/passwd /etc/passwd; mount --bind /mnt/.kts-etc/group /etc/group
  fi
done
mkdir -p /run/netns
mount -t tmpfs -o mode=755 kts-corpus-netns /run/netns
for n in $6; do : > "/run/netns/$n"; mount --bind /proc/self/ns/net "/run/netns/$n"; done
cd ${MNT_CORPUS}
set +e
exec timeout "$3" "$4" $7 -t -f "$5"
`;

interface RunOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], input?: string): Promise<RunOutput> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    child.on('close', (code, signal) => {
      const c = code ?? (signal ? 128 + (signalNumbers[signal] ?? 0) : 1);
      resolvePromise({ code: c, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const signalNumbers: Partial<Record<string, number>> = { SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };

const created = new Set<string>();

function deleteNamespacesSync(): void {
  for (const ns of created) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  created.clear();
}

/** Namespaces of an earlier run of this test that was killed (-9) before it could clean up. */
function deleteLeftoversOfDeadRuns(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const m = /^(kts-cc-(\d+)-\d+)\b/.exec(line);
    if (!m || m[1] === undefined) continue;
    const pid = Number(m[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) spawnSync('ip', ['netns', 'del', m[1]], { stdio: 'ignore' });
  }
}

function onInterrupt(signal: NodeJS.Signals): void {
  deleteNamespacesSync();
  process.kill(process.pid, signal);
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim().length > 0);
}

/** "ours: LINE" / "keepalived: LINE" for the first line that differs (each cut to 120 chars). */
function describeFirstDifference(ours: readonly string[], expected: readonly string[]): string {
  for (let i = 0; i < Math.max(ours.length, expected.length); i++) {
    if (ours[i] === expected[i]) continue;
    const cut = (l: string | undefined): string => (l === undefined ? '(nothing)' : l.slice(0, 120));
    return `line ${i + 1}: ours: ${cut(ours[i])} / keepalived: ${cut(expected[i])}`;
  }
  return '';
}

async function runOne(row: Row, n: number): Promise<CorpusResult> {
  const ns = `${NS_PREFIX}-${n}`;
  const add = await run('ip', ['netns', 'add', ns]);
  if (add.code !== 0) throw new Error(`ip netns add ${ns}: ${add.stderr}`);
  created.add(ns);
  try {
    const batch = await run('ip', ['-n', ns, '-batch', '-'], interfaceBatch(row.interfaces));
    const note = batch.code !== 0 ? `ip -batch: ${batch.stderr.trim().split('\n')[0] ?? ''}` : '';
    const r = await run('ip', ['netns', 'exec', ns, 'unshare', '--uts', '--mount', '--propagation', 'private',
      '/bin/sh', '-c', INNER_SCRIPT, 'sh', CORPUS, REPO, String(TIMEOUT_S), OTHER_BINARY ?? process.execPath, row.path, row.netns.join(' '),
      OTHER_BINARY !== undefined ? '' : `${MNT_REPO}/bin/keepalived-ts`]);
    const expected = nonEmptyLines(readFileSync(join(CORPUS, 'expected', `${row.path}.txt`), 'utf8'));
    const ours = nonEmptyLines(r.stderr);
    const agree = ours.length === expected.length && ours.every((l, i) => l === expected[i]);
    const firstDiff = describeFirstDifference(ours, expected);
    const timeoutNote = r.code === 124 ? `timed out after ${TIMEOUT_S}s` : '';
    return {
      path: row.path, ours: r.code, keepalived: row.keepalived, diagnosticsAgree: agree,
      ourLines: ours.length, expectedLines: expected.length,
      note: [note, timeoutNote, agree ? '' : firstDiff].filter((s) => s !== '').join('; '),
    };
  } finally {
    await run('ip', ['netns', 'del', ns]);
    created.delete(ns);
  }
}

async function runAll(rows: readonly Row[]): Promise<CorpusResult[]> {
  const results: CorpusResult[] = new Array<CorpusResult>(rows.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < rows.length; i = next++) {
      const row = rows[i];
      if (row) results[i] = await runOne(row, i);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  return results;
}

test('corpus: keepalived-ts -t agrees with keepalived 2.2.7', { timeout: 30 * 60_000 }, async () => {
  assert.equal(process.getuid?.(), 0, 'the corpus test needs root (network and mount namespaces): run it as root');
  assert.ok(existsSync(join(CORPUS, 'manifest.tsv')), `corpus not found at ${CORPUS} (set KTS_CORPUS)`);
  assert.ok(existsSync(join(REPO, 'dist', 'src', 'cli', 'main.js')), 'build first: npx tsc -p .');
  deleteLeftoversOfDeadRuns();
  const rows = loadRows();
  assert.ok(rows.length > 0, 'no corpus rows selected');
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const startedMs = performance.now();
  let results: CorpusResult[];
  try {
    results = await runAll(rows);
  } finally {
    deleteNamespacesSync();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
  const tookS = ((performance.now() - startedMs) / 1000).toFixed(1);
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, formatResults(results));
  const diff = disagreements(results);
  process.stdout.write(`# corpus: ${summaryLines(results).join(' ')} (${tookS} s, ${JOBS} jobs; results in ${RESULTS})\n`);
  const listed = existsSync(DOC) ? explainedPaths(readFileSync(DOC, 'utf8')) : new Set<string>();
  const unlisted = diff.filter((r) => !listed.has(r.path));
  const agreement = (results.length - diff.length) / results.length;
  assert.ok(agreement >= MIN_AGREEMENT, `exit-code agreement ${(agreement * 100).toFixed(1)}% < ${MIN_AGREEMENT * 100}% (${diff.length} of ${results.length} differ)`);
  assert.deepEqual(unlisted.map((r) => `${r.path} ours=${r.ours} keepalived=${r.keepalived}`), [],
    'disagreements not explained in docs/config-compat.md (run `npm run corpus:doc` and write the reasons)');
});
