/** MISC_CHECK: exit status semantics (keepalived 2.2.7) with a fake runner, and real scripts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMiscCheckProbe, interpretExitStatus, type MiscProcessRunner, type MiscRunOutcome } from '../../../../src/check/probes/misc-check.js';
import type { MiscChecker } from '../../../../src/config/model/lvs.js';
import { LinuxProcessRunner } from '../../../../src/os/linux/process-runner.js';

const span = { file: 'keepalived.conf', line: 1 } as unknown as MiscChecker['span'];
const timing: MiscChecker['timing'] = { delayLoopMs: 60_000, connectTimeoutMs: 5_000, retry: 0, delayBeforeRetryMs: 1_000, warmupMs: 0, alpha: false, logAllFailures: false };

function misc(argv: string[], dynamic = false, timeoutMs = 5_000): MiscChecker {
  return { type: 'MISC_CHECK', span, timing, script: { cmd: argv.join(' '), argv, span }, timeoutMs, dynamic };
}

class FakeRunner implements MiscProcessRunner {
  readonly requests: Parameters<MiscProcessRunner['run']>[0][] = [];
  constructor(private readonly outcome: MiscRunOutcome) {}
  run(request: Parameters<MiscProcessRunner['run']>[0]): Promise<MiscRunOutcome> {
    this.requests.push(request);
    return Promise.resolve(this.outcome);
  }
}

describe('MISC_CHECK exit status', () => {
  it('0 is up; 1 is down; 2..255 down without misc_dynamic', () => {
    assert.deepEqual(interpretExitStatus(0, false, 's'), { ok: true, detail: 'exit 0' });
    assert.equal(interpretExitStatus(1, false, 's').ok, false);
    for (const s of [2, 10, 255]) {
      const r = interpretExitStatus(s, false, 's');
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.failure, 'script-failed');
    }
  });

  it('with misc_dynamic 2..255 is up with weight status-2; 1 stays down; 0 restores the configured weight', () => {
    assert.deepEqual(interpretExitStatus(2, true, 's'), { ok: true, weight: 0, detail: 'exit 2' });
    assert.deepEqual(interpretExitStatus(12, true, 's'), { ok: true, weight: 10, detail: 'exit 12' });
    assert.deepEqual(interpretExitStatus(255, true, 's'), { ok: true, weight: 253, detail: 'exit 255' });
    assert.equal(interpretExitStatus(1, true, 's').ok, false);
    assert.deepEqual(interpretExitStatus(0, true, 's', 7), { ok: true, weight: 7, detail: 'exit 0' });
  });

  it('passes argv, misc_timeout and the user to the runner', async () => {
    const fake = new FakeRunner({ kind: 'exited', exitCode: 0 });
    const probe = createMiscCheckProbe(misc(['/x/check.sh', 'a b'], false, 3_000), { runner: fake, runAs: { uid: 10, gid: 20 } });
    assert.equal((await probe(new AbortController().signal)).ok, true);
    const req = fake.requests[0];
    assert.deepEqual(req?.argv, ['/x/check.sh', 'a b']);
    assert.equal(req?.timeoutMs, 3_000);
    assert.equal(req?.uid, 10);
    assert.equal(req?.gid, 20);
  });

  it('a timeout, a signal and a spawn failure are failures with distinct kinds', async () => {
    const cases: [MiscRunOutcome, string][] = [
      [{ kind: 'timed-out', signal: 'SIGTERM' }, 'script-timeout'],
      [{ kind: 'signaled', signal: 'SIGSEGV' }, 'script-failed'],
      [{ kind: 'spawn-failed', code: 'ENOENT', message: 'no' }, 'internal'],
    ];
    for (const [outcome, failure] of cases) {
      const r = await createMiscCheckProbe(misc(['/x']), { runner: new FakeRunner(outcome) })(new AbortController().signal);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.failure, failure);
    }
  });

  it('real scripts: exit 0/1/7 (dynamic) and a hung script killed at misc_timeout', async () => {
    const runner = new LinuxProcessRunner();
    const run = (code: string, dynamic: boolean, timeoutMs = 5_000) =>
      createMiscCheckProbe(misc(['/bin/sh', '-c', code], dynamic, timeoutMs), { runner, killGraceMs: 300 })(new AbortController().signal);
    assert.equal((await run('exit 0', false)).ok, true);
    assert.equal((await run('exit 1', true)).ok, false);
    assert.deepEqual(await run('exit 7', true), { ok: true, weight: 5, detail: 'exit 7' });
    const t0 = performance.now();
    const hung = await run('sleep 30', false, 200);
    assert.equal(!hung.ok && hung.failure, 'script-timeout');
    assert.ok(performance.now() - t0 < 2_000);
  });
});
