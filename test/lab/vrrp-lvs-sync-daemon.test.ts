/**
 * lvs_sync_daemon on this kernel (no IPVS): keepalived-ts reports once that IPVS cannot be
 * initialised and that the sync daemon is not run, and VRRP carries on (the instance becomes
 * MASTER and holds its VIP). keepalived 2.2.7 with the same configuration logs "IPVS: Can't
 * initialize ipvs: No such file or directory" and its VRRP process dies (SIGSEGV) and is
 * respawned every few seconds (measured on this kernel; docs/lb-compat.md). The transitions'
 * generic netlink messages are checked against a fake IPVS kernel in
 * test/scenario/vrrp/lvs-sync-daemon.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../support/lab/index.js';
import { masterDownMs, v2SkewMs } from './vrrp-matrix-support.js';
import { confText, Scratch, startDaemonWith, stopGracefully, waitLog, waitVip } from './vrrp-support.js';

const VIP = '192.0.2.100';

test('lvs_sync_daemon without IPVS in the kernel: reported once, the instance still becomes MASTER', async () => {
  const lab = await Lab.create({ hosts: 1 });
  const scratch = new Scratch();
  try {
    const h1 = lab.host(1);
    const text = confText({ priority: 100, vips: [`${VIP}/24`] }).replace('  router_id lab', '  router_id lab\n  lvs_sync_daemon eth0 VI_1 id 7');
    const ts = startDaemonWith('ts', h1, scratch, text, 'h1');
    await waitLog(ts, /\(VI_1\) Entering MASTER STATE/, masterDownMs(v2SkewMs(100), 1) + 4_000);
    await waitVip(h1, VIP, true, 2_000);
    await waitLog(ts, /IPVS: Can't initialize ipvs: .* - lvs_sync_daemon eth0 VI_1 is not run/, 1_000);
    await new Promise((r) => setTimeout(r, 1_500));
    await stopGracefully(ts);
    const lines = [...ts.stdoutLines, ...ts.stderrLines];
    assert.equal(lines.filter((l) => l.includes("Can't initialize ipvs")).length, 1, 'reported once');
    assert.equal(lines.filter((l) => /lvs_sync_daemon: /.test(l)).length, 0, 'no further sync daemon errors');
    assert.ok(lines.some((l) => /Stopped Keepalived/.test(l)), lines.slice(-10).join('\n'));
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
