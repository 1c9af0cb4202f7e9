/**
 * The real binary as a process: bin/keepalived-ts -n -l -G with a temp config and pidfile,
 * SIGHUP (good and missing config), SIGUSR1, SIGTERM; the background mode without -n; a second
 * instance refused by the pidfile; a missing config file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'keepalived-ts');
const CONFIG = 'global_defs {\n  router_id kts-test\n}\n';

interface Started {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => text, exited };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kts-daemon-'));
}

function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

test('foreground daemon: start, SIGHUP reload, bad reload keeps running, SIGUSR1 dump, SIGTERM stop', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const conf = join(dir, 'k.conf');
  const pidfile = join(dir, 'k.pid');
  writeFileSync(conf, CONFIG);
  const d = start(['-n', '-l', '-G', '-f', conf, '-p', pidfile], { TMPDIR: dir });
  try {
    await waitFor('start', () => d.output().includes('Warning - keepalived has no configuration to run'));
    assert.equal(readFileSync(pidfile, 'utf8'), `${d.child.pid}\n`);
    assert.match(d.output(), /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: keepalived-ts: Starting Keepalived v2\.2\.7 \(keepalived-ts /m);
    assert.match(d.output(), /Command line: 'keepalived-ts' '-n' '-l' '-G' '-f'/);

    d.child.kill('SIGHUP');
    await waitFor('reload', () => d.output().includes('Reload finished in'));
    unlinkSync(conf);
    d.child.kill('SIGHUP');
    await waitFor('refused reload', () => d.output().includes('Reload aborted, keeping the running configuration'));
    assert.equal(count(d.output(), 'Reloading ...'), 2);

    d.child.kill('SIGUSR1');
    await waitFor('data dump', () => existsSync(join(dir, 'keepalived.data')));
    assert.match(readFileSync(join(dir, 'keepalived.data'), 'utf8'), /keepalived-ts Data \(pid \d+\)/);

    d.child.kill('SIGTERM');
    assert.equal(await d.exited, 0);
    assert.match(d.output(), /keepalived-ts: Stopping\n.*keepalived-ts: Stopped Keepalived v2\.2\.7/);
    assert.equal(existsSync(pidfile), false, 'pidfile removed on exit');
  } finally {
    killQuietly(d.child.pid);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second daemon on the same pidfile is refused ("daemon is already running", exit 0)', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const conf = join(dir, 'k.conf');
  const pidfile = join(dir, 'k.pid');
  writeFileSync(conf, CONFIG);
  const first = start(['-n', '-l', '-G', '-f', conf, '-p', pidfile]);
  try {
    await waitFor('first start', () => existsSync(pidfile) && first.output().includes('no configuration to run'));
    const second = start(['-n', '-l', '-G', '-f', conf, '-p', pidfile]);
    assert.equal(await second.exited, 0);
    assert.match(second.output(), /daemon is already running/);
    assert.equal(readFileSync(pidfile, 'utf8'), `${first.child.pid}\n`);
    first.child.kill('SIGINT');
    assert.equal(await first.exited, 0);
  } finally {
    killQuietly(first.child.pid);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('background mode: the foreground process exits 0 once the detached daemon is up', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const conf = join(dir, 'k.conf');
  const pidfile = join(dir, 'k.pid');
  writeFileSync(conf, CONFIG);
  const log = join(dir, 'k.log');
  const fg = start(['-G', '-g' + log, '-f', conf, '-p', pidfile]);
  let daemonPid: number | undefined;
  try {
    assert.equal(await fg.exited, 0);
    assert.ok(existsSync(pidfile), 'pidfile written before the foreground exits');
    daemonPid = Number(readFileSync(pidfile, 'utf8'));
    assert.notEqual(daemonPid, fg.child.pid);
    process.kill(daemonPid, 0);
    process.kill(daemonPid, 'SIGTERM');
    await waitFor('daemon stop', () => !existsSync(pidfile));
    await waitFor('log flushed', () => readFileSync(log, 'utf8').includes('Stopped Keepalived'));
    assert.match(readFileSync(log, 'utf8'), /keepalived-ts: Starting Keepalived/);
  } finally {
    killQuietly(daemonPid);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing config file: "Config files missing", exit 6', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const d = start(['-n', '-l', '-G', '-f', join(dir, 'none.conf'), '-p', join(dir, 'k.pid')]);
  try {
    assert.equal(await d.exited, 6);
    assert.match(d.output(), /Config files missing '.*none\.conf'\./);
    assert.equal(existsSync(join(dir, 'k.pid')), false);
  } finally {
    killQuietly(d.child.pid);
    rmSync(dir, { recursive: true, force: true });
  }
});
