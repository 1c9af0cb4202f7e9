/**
 * Lab: the real daemon (keepalived-ts -n -l -C) checks nginx in another lab namespace with
 * HTTP_GET + digest at delay_loop 1. Stopping nginx must log keepalived's DOWN line ("Removing
 * service ... from VS ...") within delay_loop x (retry + 1) + 1 s; restarting it must log the UP
 * line ("Adding service ... to VS ..."). notify_down/notify_up scripts run; SIGTERM stops the
 * daemon within its deadline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { makeNginxDir, spawnDaemon, startNginx as spawnNginx, STOP_TIMEOUT_MS, stopDaemon, waitCheckersActive } from '../support/lab-daemon.js';
const BODY = 'healthy from the lab\n';
const DIGEST = createHash('md5').update(BODY).digest('hex');
const DELAY_LOOP_S = 1;
const RETRY = 1;
const DOWN_BOUND_MS = DELAY_LOOP_S * (RETRY + 1) * 1000 + 1000;

function keepalivedConf(dir: string, serverIp: string): string {
  return `
virtual_server 192.0.2.200 80 {
  delay_loop ${DELAY_LOOP_S}
  lb_algo rr
  protocol TCP
  real_server ${serverIp} 80 {
    weight 1
    notify_up "/bin/sh -c 'echo up >> ${dir}/notify.log'"
    notify_down "/bin/sh -c 'echo down >> ${dir}/notify.log'"
    HTTP_GET {
      url {
        path /health.html
        digest ${DIGEST}
      }
      connect_timeout 1
      retry ${RETRY}
      delay_before_retry 1
    }
  }
}
`;
}

describe('lab: checker subsystem in the real daemon against nginx', () => {
  let lab: Lab;
  let dir: string;
  let server: LabHost;
  let nginx: LabProcess | undefined;
  let daemon: LabProcess | undefined;
  let rsName: string;

  const startNginx = (): LabProcess => spawnNginx(server, dir);

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lab tests need root (network namespaces)');
    dir = makeNginxDir('kts-checksub-');
    writeFileSync(join(dir, 'www', 'health.html'), BODY);
    lab = await Lab.create({ hosts: 2 });
    server = lab.host(1);
    rsName = `[${server.ipv4}]:tcp:80`;
    writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf(dir, server.ipv4));
    nginx = startNginx();
  });
  after(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs the DOWN line within delay_loop x (retry+1) + 1 s of stopping nginx, and the UP line after a restart', async () => {
    daemon = spawnDaemon(lab.host(2), dir, ['-G', '-C']);
    await waitCheckersActive(daemon, 1, 1);
    // the first success of a checker that starts up is silent; let it pass once
    await new Promise((r) => setTimeout(r, 2_500));
    assert.ok(!(await daemon.waitForLine(/Removing service/, 1).then(() => true, () => false)), 'server went down while nginx was up');

    await nginx?.stop();
    const stoppedAt = performance.now();
    const down = await daemon.waitForLine(new RegExp(`Removing service \\[${server.ipv4.replaceAll('.', '\\.')}\\]:tcp:80 from VS \\[192\\.0\\.2\\.200\\]:tcp:80`), DOWN_BOUND_MS + 2_000);
    const downAfterMs = performance.now() - stoppedAt;
    assert.ok(downAfterMs <= DOWN_BOUND_MS, `DOWN after ${Math.round(downAfterMs)} ms, bound ${DOWN_BOUND_MS} ms: ${down}`);
    await daemon.waitForLine((l) => l.includes(`HTTP_CHECK on service ${rsName} failed after ${RETRY} retries.`), 1_000);

    nginx = startNginx();
    await daemon.waitForLine((l) => l.includes(`MD5 digest success to ${rsName} url(1).`), 5_000);
    await daemon.waitForLine((l) => l.includes(`Adding service ${rsName} to VS [192.0.2.200]:tcp:80`), 5_000);
    const notifyLog = join(dir, 'notify.log');
    for (let i = 0; i < 50 && !(existsSync(notifyLog) && readFileSync(notifyLog, 'utf8') === 'down\nup\n'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(readFileSync(notifyLog, 'utf8'), 'down\nup\n');

    const stopAt = performance.now();
    await stopDaemon(daemon);
    assert.ok(performance.now() - stopAt < STOP_TIMEOUT_MS);
  });
});
