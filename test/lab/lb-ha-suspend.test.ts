/**
 * ha_suspend end to end: the director h1 runs keepalived-ts with both VRRP (VI_1, priority 100,
 * holding VIP 192.0.2.100 when MASTER) and the pool (virtual_server 192.0.2.100 80 with
 * ha_suspend, one TCP_CHECK real server h3, delay_loop 1); keepalived 2.2.7 on h2 (priority 200)
 * is the peer. h3's real server is a TCP listener that prints one line per connection, so the
 * test counts the checks that reach it.
 *
 * - h2 MASTER, h1 BACKUP: the checker logs "Deactivating healthchecker ..." and no connection
 *   reaches h3 over several delay_loops;
 * - h2 stops (priority 0): h1 becomes MASTER, the VIP appears, "Activating healthchecker ..." and
 *   connections arrive;
 * - h2 starts again and preempts: h1 leaves MASTER, the VIP goes, "Suspending healthchecker ..."
 *   and the connections stop.
 *
 * Bounds from the config: a check comes within delay_loop + connect_timeout after activation;
 * takeover after h2's priority 0 is Skew_Time (< 1 s); h2 preempts after its Master_Down_Interval
 * (3 x 1 s + skew); generous slack for a loaded machine. keepalived 2.2.7 cannot be the director
 * here (no IPVS in this kernel: its checker process exits), so its side of ha_suspend is taken
 * from its documented and coded behaviour (docs/lb-compat.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabProcess } from '../support/lab/index.js';
import { spawnDaemon, stopDaemon } from '../support/lab-daemon.js';
import { globalDefsLines, instanceText, Scratch, startDaemonWith, stopGracefully, waitLog, waitVip } from './vrrp-support.js';

const VIP = '192.0.2.100';
const VS = `[${VIP}]:tcp:80`;
const RS = '[192.0.2.3]:tcp:80';
const DELAY_LOOP_MS = 1_000;
const CONNECT_TIMEOUT_MS = 1_000;
/** No check for this long while suspended (several delay_loops). */
const QUIET_MS = 4 * DELAY_LOOP_MS;
/** A check must arrive within delay_loop + connect_timeout of activation (+ slack). */
const FIRST_CHECK_MS = DELAY_LOOP_MS + CONNECT_TIMEOUT_MS + 3_000;

const LISTENER = `
const net = require('node:net');
const server = net.createServer((s) => { process.stdout.write('CONN ' + s.remoteAddress + '\\n'); s.on('error', () => {}); s.end(); });
server.listen(80, '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

function directorConfig(): string {
  return [
    ...globalDefsLines(),
    instanceText('VI_1', { priority: 100, vips: [`${VIP}/24`] }),
    `virtual_server ${VIP} 80 {`,
    '  delay_loop 1',
    '  protocol TCP',
    '  ha_suspend',
    '  real_server 192.0.2.3 80 {',
    '    TCP_CHECK {',
    '      connect_timeout 1',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

function peerConfig(): string {
  return [...globalDefsLines(), instanceText('VI_1', { priority: 200, vips: [`${VIP}/24`] })].join('\n');
}

const connections = (p: LabProcess): number => p.stdoutLines.filter((l) => l.startsWith('CONN ')).length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitConnections(p: LabProcess, atLeast: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (connections(p) < atLeast) {
    if (performance.now() > deadline) throw new Error(`${what}: ${connections(p)} connection(s) after ${timeoutMs} ms, wanted ${atLeast}`);
    await sleep(50);
  }
}

test('ha_suspend: checks reach the real server only while the director is MASTER (holds the VIP)', async () => {
  const lab = await Lab.create({ hosts: 3 });
  const scratch = new Scratch();
  try {
    const [h1, h2, h3] = [lab.host(1), lab.host(2), lab.host(3)];
    const listener = h3.spawn(process.execPath, ['-e', LISTENER]);
    await waitLog(listener, /^ready$/, 5_000);

    let peer = startDaemonWith('keepalived', h2, scratch, peerConfig(), 'h2');
    await waitLog(peer, /\(VI_1\) Entering MASTER STATE/, 8_000);

    scratch.file('keepalived.conf', directorConfig());
    const director = spawnDaemon(h1, scratch.dir, ['-G', '-D']);
    await waitLog(director, /\(VI_1\) Entering BACKUP STATE/, 10_000);
    await waitLog(director, new RegExp(`^.*Deactivating healthchecker for service \\${RS} for VS \\${VS}$`), 10_000);
    await sleep(QUIET_MS);
    assert.equal(connections(listener), 0, 'BACKUP (VIP absent): no check reaches the real server');

    await stopGracefully(peer);
    await waitVip(h1, VIP, true, 3_000);
    await waitLog(director, new RegExp(`Activating healthchecker for service \\${RS} for VS \\${VS}`), 2_000);
    await waitConnections(listener, 2, FIRST_CHECK_MS + DELAY_LOOP_MS, 'MASTER (VIP present): checks run');

    peer = startDaemonWith('keepalived', h2, scratch, peerConfig(), 'h2b');
    await waitVip(h1, VIP, false, 8_000);
    await waitLog(director, new RegExp(`Suspending healthchecker for service \\${RS} for VS \\${VS}`), 2_000);
    await sleep(CONNECT_TIMEOUT_MS + 500); // an attempt in flight may still complete
    const settled = connections(listener);
    await sleep(QUIET_MS);
    assert.equal(connections(listener), settled, 'BACKUP again: the checks stop');
    const log = [...director.stdoutLines, ...director.stderrLines].join('\n');
    assert.doesNotMatch(log, /Removing service|Adding service/, 'the real server kept its state throughout');
    await stopDaemon(director);
    await stopGracefully(peer);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
