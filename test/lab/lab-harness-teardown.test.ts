/**
 * The lab leaves nothing behind: no namespace (by name, nor by inode held by a process, thread or
 * fd), no veth, no process, no change to the root namespace. Checked after normal destroys, after
 * the process-exit hooks (signals, uncaught exception, unhandled rejection, process.exit), after a
 * SIGKILL + cleanupStale, and across runs (leftovers of an earlier run of the suite fail here).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanupStale, findLeaks, findStale, Lab, LabError, run, type LeakReport } from '../support/lab/index.js';

const HOLDER = fileURLToPath(new URL('../support/agents/lab-holder.js', import.meta.url));
const CLEAN: LeakReport = { namespaces: [], holders: [], processes: [], rootLinks: [] };

interface Held {
  prefix: string;
  pids: number[];
  inodes: Record<string, number>;
}

/** What the root namespace looks like: links, addresses and routes (the lab must not change it). */
async function rootSnapshot(): Promise<string> {
  const parts = await Promise.all([
    run('ip', ['-o', 'link', 'show']),
    run('ip', ['-o', 'addr', 'show']),
    run('ip', ['route', 'show', 'table', 'all']),
    run('ip', ['-6', 'route', 'show', 'table', 'all']),
  ]);
  // Counters and link state of unrelated interfaces may change; keep names and addresses.
  return parts.map((p) => p.stdout.replace(/^(\d+: [^:]+):.*$/gm, '$1')).join('\n');
}

function leaksOf(held: Held, pids: readonly number[]): Promise<LeakReport> {
  const inodes = new Map(Object.entries(held.inodes));
  return findLeaks({ prefix: held.prefix, namespaceInodes: () => inodes }, pids);
}

/** Runs the lab-holder agent; resolves with what it holds once ready, plus a handle to end it. */
async function startHolder(mode: string, uid?: number): Promise<{ held: Held; exited: Promise<number | string>; pid: number }> {
  const child = spawn(process.execPath, [HOLDER, mode], { stdio: ['ignore', 'pipe', 'pipe'], ...(uid === undefined ? {} : { uid, gid: uid }) });
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code ?? -1)));
  let out = '';
  const first = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('close', () => reject(new Error(`lab-holder exited before reporting: ${out}`)));
  });
  return { held: JSON.parse(first) as Held, exited, pid: child.pid ?? -1 };
}

describe('lab harness: teardown leaves nothing behind', () => {
  it('finds no leftovers of an earlier run of this prefix family (run the suite twice: still clean)', async () => {
    const stale = await findStale();
    await cleanupStale();
    assert.deepEqual(stale, [], `an earlier run left namespaces behind (removed now): ${stale.join(' ')}`);
  });

  it('two create/use/destroy cycles in a row leave no namespace, holder, veth or process', async () => {
    const before = await rootSnapshot();
    for (let cycle = 1; cycle <= 2; cycle++) {
      const lab = await Lab.create({ hosts: 2 });
      const sleeper = lab.host(1).spawn('sh', ['-c', 'sleep 300 & sleep 300']);
      const capture = await lab.capture(lab.host(2), 'eth0', 'icmp');
      await lab.host(2).execOk('ping', ['-c1', '-W2', lab.host(1).ipv4]);
      await capture.waitForPackets(2);
      const inNamespace = await lab.host(1).namespacePids();
      assert.ok(inNamespace.length >= 2, `expected the shell and its sleeps: ${inNamespace.join(' ')}`);
      await lab.destroy();
      assert.deepEqual(await findLeaks(lab, [sleeper.pid, ...inNamespace]), CLEAN, `cycle ${cycle}`);
    }
    assert.equal(await rootSnapshot(), before, 'the root namespace was changed');
  });

  it('destroy is idempotent and a destroyed host refuses commands', async () => {
    const lab = await Lab.create({ hosts: 1 });
    await Promise.all([lab.destroy(), lab.destroy()]);
    await lab.destroy();
    assert.throws(() => lab.host(1).spawn('true'), (e: unknown) => e instanceof LabError && e.code === 'LAB_DESTROYED');
    assert.deepEqual(await findLeaks(lab), CLEAN);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`tears the lab down when the test process gets ${signal}`, async () => {
      const holder = await startHolder('wait');
      process.kill(holder.pid, signal);
      assert.equal(await holder.exited, signal, 'the process still ends by the signal');
      assert.deepEqual(await leaksOf(holder.held, holder.held.pids), CLEAN);
    });
  }

  for (const mode of ['throw', 'reject', 'exit']) {
    it(`tears the lab down when the test process ends by ${mode}`, async () => {
      const holder = await startHolder(mode);
      assert.notEqual(await holder.exited, 0);
      assert.deepEqual(await leaksOf(holder.held, holder.held.pids), CLEAN);
    });
  }

  it('after a SIGKILL (no hook can run) cleanupStale removes the leftovers of that run only', async () => {
    const holder = await startHolder('wait');
    const bystander = await Lab.create({ hosts: 1 });
    try {
      process.kill(holder.pid, 'SIGKILL');
      await holder.exited;
      const leftover = await leaksOf(holder.held, []);
      assert.equal(leftover.namespaces.length, 3, 'SIGKILL leaves the namespaces');
      const removed = await cleanupStale();
      assert.deepEqual(removed.sort(), leftover.namespaces.sort());
      assert.deepEqual(await leaksOf(holder.held, holder.held.pids), CLEAN);
      await bystander.host(1).execOk('true');
    } finally {
      await bystander.destroy();
    }
  });

  it('fails loudly (never skips) when not root: LAB_UNAVAILABLE says why', async () => {
    const holder = await startHolder('wait', 65534);
    const report = holder.held as unknown as { error: string; message: string };
    assert.equal(report.error, 'LAB_UNAVAILABLE');
    assert.match(report.message, /must run as root/);
    assert.equal(await holder.exited, 2);
  });
});
