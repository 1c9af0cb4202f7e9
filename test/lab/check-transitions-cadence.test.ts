/**
 * Lab: the attempt cadence of a checker around its transitions, as keepalived 2.2.7's TCP_CHECK
 * schedules it (check_tcp.c tcp_epilog, read as reference, not copied):
 *
 *   - the first attempt of a checker is always reported: "TCP connection to X success." even
 *     when the checker started UP (has_run is false until the first attempt ends);
 *   - retries are not reserved to an UP checker: after any failure, while fewer than `retry`
 *     failures were counted, the next attempt is delay_before_retry later, else delay_loop later
 *     (and the counter restarts). A DOWN server is therefore probed again delay_before_retry
 *     after each of its failures but every (retry + 1)th, and recovers that soon.
 *
 * Real server: a node TCP listener (test/support/agents/check-responders.ts) on host 2, stopped
 * and restarted; the daemon (keepalived-ts -n -l -C) runs on host 1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SPREAD } from '../../src/check/scheduler-timing.js';
import { Lab, agentPath, type LabHost, type LabProcess } from '../support/lab/index.js';
import { countLines, expectDown, literal, nextLine, ServiceLog, SLACK_MS, startDaemon, stopDaemon, type CheckTiming } from '../support/check-transitions-support.js';

/** A long delay_loop and a short delay_before_retry make the two cadences easy to tell apart. */
const T: CheckTiming = { delayLoopS: 6, attemptS: 1, retry: 2, delayBeforeRetryS: 1 };
const PORT = 2525;
const VS = `[192.0.2.208]:tcp:${PORT}`;

function keepalivedConf(rs: string): string {
  return `virtual_server 192.0.2.208 ${PORT} {
  delay_loop ${T.delayLoopS}
  lb_algo rr
  protocol TCP
  real_server ${rs} ${PORT} {
    weight 1
    TCP_CHECK {
      connect_timeout ${T.attemptS}
      retry ${T.retry}
      delay_before_retry ${T.delayBeforeRetryS}
      warmup 0
      log_all_failures
    }
  }
}
`;
}

describe('lab: checker attempt cadence of the real daemon (TCP_CHECK)', () => {
  let lab: Lab;
  let dir: string;
  let server: LabHost;
  let listener: LabProcess;
  let daemon: LabProcess;
  let log: ServiceLog;

  const startListener = async (): Promise<LabProcess> => {
    const p = server.spawnNode(agentPath('check-responders'), ['smtp', server.ipv4, String(PORT)]);
    await p.waitForLine(/^ready$/, 10_000);
    return p;
  };

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lab tests need root (network namespaces)');
    dir = mkdtempSync(join(tmpdir(), 'kts-transitions-cadence-'));
    lab = await Lab.create({ hosts: 2 });
    server = lab.host(2);
    writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf(server.ipv4));
    listener = await startListener();
    daemon = await startDaemon(lab.host(1), dir, 1);
    log = new ServiceLog(daemon, 'TCP_CHECK', `[${server.ipv4}]:tcp:${PORT}`, VS);
  });
  after(async () => {
    if (daemon?.running) await stopDaemon(daemon);
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs the first success of a checker that started UP (warmup 0: at once)', async () => {
    await daemon.waitForLine((l) => l.endsWith(`TCP connection to ${log.realServer} success.`), T.attemptS * 1_000 + SLACK_MS);
    // The listener's stdout is another pipe: its line for that attempt may arrive a little later.
    await listener.waitForLine(/^ATTEMPT /, 1_000);
    assert.equal(countLines(listener, /^ATTEMPT /), 1, 'one attempt so far');
    assert.equal(countLines(daemon, log.downRe), 0);
  });

  it('probes a DOWN server again delay_before_retry after a failure, so it recovers before the next delay_loop', async () => {
    await expectDown(log, T, async () => void (await listener.stop()), `TCP_CHECK on service ${log.realServer} failed after ${T.retry} retries.`);
    const downAt = performance.now();
    // The DOWN attempt restarts the count: the next attempt is one delay_loop later, fails (nobody
    // listens), and leaves retries to make: the attempt after it is delay_before_retry later.
    const firstDownAttemptMs = T.delayLoopS * 1_000 * (1 + DEFAULT_SPREAD.jitterFraction) + T.attemptS * 1_000;
    await new Promise((r) => setTimeout(r, firstDownAttemptMs + 200));
    assert.equal(countLines(daemon, log.upRe), 0);
    const ups = countLines(daemon, log.upRe);
    listener = await startListener();
    const fixedAt = performance.now();
    const bound = T.delayBeforeRetryS * 1_000 + T.attemptS * 1_000 + SLACK_MS;
    const line = await nextLine(daemon, log.upRe, ups, T.delayLoopS * 2_000);
    const ms = performance.now() - fixedAt;
    assert.match(line, new RegExp(`${literal(log.realServer)} to VS ${literal(VS)}$`));
    assert.ok(ms <= bound, `UP ${Math.round(ms)} ms after the fix (${Math.round(fixedAt - downAt)} ms after DOWN); ` +
      `a down checker with retries left tries again after delay_before_retry: bound ${bound} ms`);
  });
});
