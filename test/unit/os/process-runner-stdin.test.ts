/**
 * LinuxProcessRunner: stdin bytes reach the child and are closed after (the child sees EOF), a
 * child that does not read its stdin still completes, and a run resolves as soon as the child and
 * its pipes are closed (no fixed linger after exit) while a grandchild holding the pipes cannot
 * keep it waiting.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinuxProcessRunner } from '../../../src/os/linux/process-runner.js';

const runner = new LinuxProcessRunner();

describe('LinuxProcessRunner stdin and completion', () => {
  it('feeds stdin and closes it', async () => {
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'cat; echo end'], timeoutMs: 5_000, stdin: 'hello\n' });
    assert.equal(r.kind, 'exited');
    assert.equal(r.stdout, 'hello\nend\n');
  });

  it('completes when the child ignores its stdin', async () => {
    const r = await runner.run({ argv: ['/bin/true'], timeoutMs: 5_000, stdin: Buffer.alloc(1 << 20, 0x61) });
    assert.deepEqual([r.kind, r.kind === 'exited' ? r.exitCode : -1], ['exited', 0]);
  });

  it('a leftover grandchild holding the pipes does not hold the result', async () => {
    const r = await runner.run({ argv: ['/bin/sh', '-c', 'sleep 3 & echo started'], timeoutMs: 5_000 });
    assert.equal(r.kind, 'exited');
    assert.equal(r.stdout, 'started\n');
    if (r.pid !== undefined) {
      try { process.kill(-r.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
});
