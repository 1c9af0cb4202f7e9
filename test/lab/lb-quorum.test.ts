/**
 * Lab: quorum and hysteresis switch as configured, with the REAL daemon (`keepalived-ts -n -l -C`)
 * on the director h1 (nftables plane), nginx real servers h2..h4 (weight 1 each), client h5 and
 * sorry server h6 (topology: lb-daemon-support.ts). virtual_server with `quorum 2`,
 * `hysteresis 1`, quorum_up/quorum_down scripts that append "up"/"down" to a marker file, and a
 * sorry_server. keepalived's rules (ipwrapper.c update_quorum_state): quorum is lost when the live
 * weight falls below quorum - hysteresis = 1 (i.e. at 0) and regained at quorum + hysteresis = 3;
 * while it is lost the sorry server alone answers (a real server that comes back is not added).
 *
 * 1. all up: the three answer, no quorum script ran;
 * 2. h2, h3 down (live weight 1 = quorum - hysteresis): quorum held, h4 alone answers, no script;
 * 3. h4 down (0 < 1): quorum_down ran, the sorry server answers;
 * 4. h2, h3 back (2 < 3): still lost, the sorry server still answers, no quorum_up;
 * 5. h4 back (3 >= 3): quorum_up ran, the sorry server is gone, the three answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { burst, makeWorkDir, removeWorkDir, setupDirector, startNginx, VIP } from './lb-support.js';
import { dnatTo, DOWN_BOUND_MS, routeRepliesViaDirector, startDaemon, tableText, waitReady, waitTable } from './lb-daemon-support.js';

const VS = `[${VIP}]:tcp:80`;
const QUORUM = 2;
const HYSTERESIS = 1;
/** A check transition reaches the ruleset within delay_loop x (retry + 1) + 1 s; +2 s for load. */
const SWITCH_MS = DOWN_BOUND_MS + 2_000;

function quorumConfig(dir: string): string {
  const rs = [2, 3, 4].map((n) => `  real_server 192.0.2.${n} 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
`).join('');
  return `global_defs {
  notify_fifo ${join(dir, 'all.fifo')}
  lvs_notify_fifo ${join(dir, 'lvs.fifo')}
  lvs_notify_fifo_script ${join(dir, 'fifo-reader.sh')}
}
virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum ${QUORUM}
  hysteresis ${HYSTERESIS}
  quorum_up "${join(dir, 'quorum.sh')} up"
  quorum_down "${join(dir, 'quorum.sh')} down"
  sorry_server 192.0.2.6 80
${rs}}
`;
}

const onlySorry = (t: string): boolean => dnatTo('192.0.2.6').test(t) && ![2, 3, 4].some((n) => dnatTo(`192.0.2.${n}`).test(t));

describe('lb: quorum and hysteresis with the real daemon (lab)', { timeout: 120_000 }, () => {
  let lab: Lab;
  let dir = '';
  let director: LabHost;
  let client: LabHost;
  let daemon: LabProcess | undefined;
  let globalFifo: LabProcess | undefined;
  const nginx = new Map<number, LabProcess>();
  const marker = (): Promise<string[]> => readFile(join(dir, 'quorum.log'), 'utf8').then((t) => t.split('\n').filter((l) => l !== ''), () => []);
  const start = async (n: number): Promise<void> => { nginx.set(n, await startNginx(lab.host(n), `h${n}`, dir)); };
  const stop = async (n: number): Promise<void> => { await nginx.get(n)?.stop(); };
  /** Resolves when the daemon logs one more TCP_CHECK success line of real server h<n> than now. */
  const seenUp = (n: number): Promise<void> => {
    const d = daemon as LabProcess;
    const count = (): number => [...d.stdoutLines, ...d.stderrLines].filter((l) => l.includes(`TCP connection to [192.0.2.${n}]:tcp:80 success.`)).length;
    const before = count();
    return waitFor(() => count() > before, SWITCH_MS, `h${n} seen up`);
  };

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lb-quorum lab test must run as root (network namespaces, nft)');
    lab = await Lab.create({ hosts: 6 });
    dir = await makeWorkDir();
    director = lab.host(1);
    client = lab.host(5);
    await setupDirector(director);
    for (const n of [2, 3, 4]) await start(n);
    await startNginx(lab.host(6), 'sorry', dir);
    await routeRepliesViaDirector([2, 3, 4, 6].map((n) => lab.host(n)), client, director);
    await writeFile(join(dir, 'quorum.sh'), `#!/bin/sh\necho "$1" >> ${join(dir, 'quorum.log')}\n`, { mode: 0o755 });
    // lvs_notify_fifo_script: started with the FIFO name as its last argument
    await writeFile(join(dir, 'fifo-reader.sh'), `#!/bin/sh\nexec cat "$1" >> ${join(dir, 'lvs-lines.log')}\n`, { mode: 0o755 });
    await writeFile(join(dir, 'keepalived.conf'), quorumConfig(dir), { mode: 0o644 });
  });

  after(async () => {
    await daemon?.stop(3_000);
    await globalFifo?.stop();
    await lab?.destroy();
    await removeWorkDir(dir);
  });

  it('all up: the three real servers answer and no quorum script has run', async () => {
    daemon = startDaemon(director, dir);
    await waitReady(daemon);
    globalFifo = director.spawn('cat', [join(dir, 'all.fifo')]);
    const r = await burst(client, 30);
    assert.equal(r.errors, 0, r.lastError);
    assert.deepEqual(r.counts, { h2: 10, h3: 10, h4: 10 });
    assert.deepEqual(await marker(), []);
  });

  it(`live weight down to quorum - hysteresis (${QUORUM - HYSTERESIS}): quorum held, the last real server serves alone`, async () => {
    await stop(2);
    await stop(3);
    await waitTable(director, (t) => dnatTo('192.0.2.4').test(t) && !dnatTo('192.0.2.2').test(t) && !dnatTo('192.0.2.3').test(t), SWITCH_MS, 'left h4 alone');
    assert.deepEqual((await burst(client, 10)).counts, { h4: 10 });
    assert.doesNotMatch(await tableText(director), dnatTo('192.0.2.6'), 'no sorry server while quorum is held');
    assert.deepEqual(await marker(), [], 'quorum_down has not run');
  });

  it('live weight below quorum - hysteresis: quorum_down runs and the sorry server answers', async () => {
    await stop(4);
    await waitTable(director, onlySorry, SWITCH_MS, 'sorry only');
    await (daemon as LabProcess).waitForLine((l) => l.includes(`Lost quorum ${QUORUM}-${HYSTERESIS}=${QUORUM - HYSTERESIS} > 0 for VS ${VS}`), 1_000);
    assert.deepEqual((await burst(client, 10)).counts, { sorry: 10 });
    await waitMarker(marker, ['down']);
  });

  it(`live weight back to 2 (< quorum + hysteresis = ${QUORUM + HYSTERESIS}): still lost, the sorry server still answers`, async () => {
    const up = [seenUp(2), seenUp(3)];
    await start(2);
    await start(3);
    await Promise.all(up);
    // give the pool one more check round to (wrongly) react before looking
    await new Promise((r) => setTimeout(r, 1_000));
    assert.ok(onlySorry(await tableText(director)), await tableText(director));
    assert.deepEqual((await burst(client, 10)).counts, { sorry: 10 });
    assert.deepEqual(await marker(), ['down'], 'quorum_up has not run');
  });

  it(`live weight at quorum + hysteresis (${QUORUM + HYSTERESIS}): quorum_up runs, the sorry server leaves, the three answer`, async () => {
    await start(4);
    await waitTable(director, (t) => [2, 3, 4].every((n) => dnatTo(`192.0.2.${n}`).test(t)) && !dnatTo('192.0.2.6').test(t), SWITCH_MS, 'all three back');
    await (daemon as LabProcess).waitForLine((l) => l.includes(`Gained quorum ${QUORUM}+${HYSTERESIS}=${QUORUM + HYSTERESIS} <= 3 for VS ${VS}`), 1_000);
    const r = await burst(client, 30);
    assert.equal(r.errors, 0, r.lastError);
    assert.deepEqual(r.counts, { h2: 10, h3: 10, h4: 10 });
    await waitMarker(marker, ['down', 'up']);
  });

  it('the LVS FIFO lines (keepalived format) reach notify_fifo and lvs_notify_fifo (read by lvs_notify_fifo_script)', async () => {
    const rs = (n: number, state: string): string => `RS [192.0.2.${n}]:tcp:80 ${VS} ${state}`;
    const expected = [rs(2, 'DOWN'), rs(3, 'DOWN'), rs(4, 'DOWN'), `VS ${VS} DOWN`, rs(2, 'UP'), rs(3, 'UP'), rs(4, 'UP'), `VS ${VS} UP`];
    // h2/h3 are stopped and started together: their order within a pair is the checkers' order
    const canonical = (lines: readonly string[]): string[] => [...lines.slice(0, 2).sort(), ...lines.slice(2, 4), ...lines.slice(4, 6).sort(), ...lines.slice(6)];
    const readLvs = (): Promise<string[]> => readFile(join(dir, 'lvs-lines.log'), 'utf8').then((t) => t.split('\n').filter((l) => l !== ''), () => []);
    await waitFor(() => (globalFifo?.stdoutLines.length ?? 0) >= expected.length, 2_000, 'notify_fifo lines');
    assert.deepEqual(canonical(globalFifo?.stdoutLines ?? []), expected);
    let lvs: string[] = [];
    for (let i = 0; i < 20 && lvs.length < expected.length; i++) {
      lvs = await readLvs();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(canonical(lvs), expected);
  });
});

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The scripts run asynchronously: wait (bounded) for the marker file to show `want`. */
async function waitMarker(read: () => Promise<string[]>, want: readonly string[]): Promise<void> {
  let got: string[] = [];
  for (let i = 0; i < 50; i++) {
    got = await read();
    if (got.length >= want.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(got, want);
}
