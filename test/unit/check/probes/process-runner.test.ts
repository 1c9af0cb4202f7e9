/**
 * LinuxProcessRunner with real children: exit codes, timeouts that kill the whole process group
 * (SIGTERM, then SIGKILL for a script that ignores SIGTERM), output flooding capped without
 * blocking, spawn failures, abort, and no process left behind.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinuxProcessRunner } from '../../../../src/os/linux/process-runner.js';

const runner = new LinuxProcessRunner();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs = 2_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

describe('LinuxProcessRunner', () => {
  it('reports exit codes 0, 1 and 200, with output', async () => {
    for (const code of [0, 1, 200]) {
      const r = await runner.run({ argv: ['/bin/sh', '-c', `echo out-${code}; echo err >&2; exit ${code}`], timeoutMs: 5_000 });
      assert.equal(r.kind, 'exited');
      assert.equal(r.kind === 'exited' && r.exitCode, code);
      assert.equal(r.stdout, `out-${code}\n`);
      assert.equal(r.stderr, 'err\n');
      assert.equal(r.outputTruncated, false);
    }
  });

  it('passes arguments verbatim (no shell)', async () => {
    const r = await runner.run({ argv: ['/bin/echo', 'a b', '$HOME', "'q'"], timeoutMs: 5_000 });
    assert.equal(r.stdout, "a b $HOME 'q'\n");
  });

  it('kills a hung script and its children at the timeout (SIGTERM to the group)', async () => {
    const t0 = performance.now();
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'sleep 30 & echo $!; wait'], timeoutMs: 300, killGraceMs: 500 });
    const tookMs = performance.now() - t0;
    assert.equal(r.kind, 'timed-out');
    assert.ok(tookMs < 2_000, `took ${tookMs} ms`);
    const childPid = Number(r.stdout.trim());
    assert.ok(childPid > 0, `child pid from ${JSON.stringify(r.stdout)}`);
    assert.equal(await waitGone(childPid), true, 'the background sleep died with the group');
  });

  it('SIGKILLs a script that ignores SIGTERM after the grace', async () => {
    const t0 = performance.now();
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'trap "" TERM; sleep 30 & echo $!; while :; do sleep 0.05; done'], timeoutMs: 200, killGraceMs: 300 });
    const tookMs = performance.now() - t0;
    assert.equal(r.kind, 'timed-out');
    assert.equal(r.kind === 'timed-out' && r.signal, 'SIGKILL');
    assert.ok(tookMs >= 450 && tookMs < 3_000, `took ${tookMs} ms`);
    assert.equal(await waitGone(Number(r.stdout.trim())), true);
  });

  it('caps a flood of output without blocking the child or the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'head -c 20000000 /dev/zero; exit 3'], timeoutMs: 10_000, maxOutputBytes: 1000 });
    clearInterval(ticker);
    assert.equal(r.kind, 'exited');
    assert.equal(r.kind === 'exited' && r.exitCode, 3, 'the writer was never blocked or broken');
    assert.equal(r.stdout.length, 1000);
    assert.equal(r.outputTruncated, true);
    assert.ok(ticks > 0, 'timers still fired while draining');
  });

  it('discardOutput: stdout and stderr are /dev/null, as keepalived runs its scripts; a flood is never read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-runner-'));
    try {
      const where = join(dir, 'fds');
      const script = `a=$(readlink /proc/$$/fd/1 /proc/$$/fd/2); echo "$a" > ${where}; head -c 50000000 /dev/zero; head -c 50000000 /dev/zero >&2; exit 4`;
      const r = await runner.run({ argv: ['/bin/sh', '-c', script], timeoutMs: 10_000, discardOutput: true });
      assert.equal(r.kind === 'exited' && r.exitCode, 4);
      assert.deepEqual({ stdout: r.stdout, stderr: r.stderr, truncated: r.outputTruncated }, { stdout: '', stderr: '', truncated: false });
      assert.equal(readFileSync(where, 'utf8'), '/dev/null\n/dev/null\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing program as spawn-failed ENOENT', async () => {
    const r = await runner.run({ argv: ['/nonexistent/script.sh'], timeoutMs: 1_000 });
    assert.equal(r.kind, 'spawn-failed');
    assert.equal(r.kind === 'spawn-failed' && r.code, 'ENOENT');
  });

  it('rejects an empty argv as spawn-failed', async () => {
    const r = await runner.run({ argv: [], timeoutMs: 1_000 });
    assert.equal(r.kind, 'spawn-failed');
  });

  it('reports death by a signal it did not send', async () => {
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'kill -USR1 $$'], timeoutMs: 5_000 });
    assert.equal(r.kind, 'signaled');
    assert.equal(r.kind === 'signaled' && r.signal, 'SIGUSR1');
  });

  it('an abort kills the group at once', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'echo $$; sleep 30'], timeoutMs: 30_000, signal: ac.signal });
    assert.equal(r.kind, 'aborted');
    assert.ok(r.pid !== undefined && (await waitGone(r.pid)));
  });

  it('runs as another uid/gid when asked (root only)', async () => {
    assert.equal(process.getuid?.(), 0, 'this test needs root');
    const r = await runner.run({ argv: ['/usr/bin/id', '-u'], timeoutMs: 5_000, uid: 65534, gid: 65534 });
    assert.equal(r.stdout.trim(), '65534');
  });
});
