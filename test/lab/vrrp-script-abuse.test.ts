/**
 * Lab: vrrp_scripts that misbehave never delay the adverts of the real daemon (issue #5).
 *
 * Two keepalived-ts nodes (VRRPv3, advert_int 0.05 s): h1 MASTER (priority 150) tracks four
 * abusive scripts, each `weight -10` (so even all failed, 110 > 100: no transition is legitimate);
 * h2 is the BACKUP (priority 100). The scripts:
 *
 *   hang      loops forever with a child of its own -> SIGTERM to its process group at `timeout`
 *   flood     100 MB on stdout, 100 MB on stderr, then hangs -> output is /dev/null (never read,
 *             never buffered); killed at `timeout`. (Not `yes` until killed: two writers spinning
 *             on a 2-core machine starve every process alike, which no daemon design can prevent.)
 *   orphans   starts `sleep 1000 &` twice and exits 0 -> the children outlive it (not our zombies)
 *   noterm    ignores SIGTERM, as does a child of its own -> SIGKILL to the group 2 s later
 *             (keepalived 2.2.7, traced: kill(-pgid, SIGTERM) at the timeout, kill(-pgid, SIGKILL)
 *             2 s after)
 *
 * Judged on the wire (tcpdump on h2's eth0): the largest gap between h1's adverts stays below
 * Master_Down_Interval = 3 * 0.05 + (256 - 100) / 256 * 0.05 = 0.1805 s (the bound the backup
 * uses; a larger gap would be a spurious takeover), and neither node logs a transition after
 * the election. Also: no zombie child of the daemon survives two samples 250 ms apart, the
 * daemon's RSS stays within 64 MiB of its value before the scripts start, and the noterm script
 * sees its SIGTERM at the timeout and dies by SIGKILL 2 s later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { Capture, field, Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { confText, KEEPALIVED_TS_BIN, Scratch, stopGracefully, waitLog } from './vrrp-support.js';

const VIP = '192.0.2.100';
const ADVERT_INT_S = 0.05;
const MASTER_DOWN_S = 3 * ADVERT_INT_S + ((256 - 100) / 256) * ADVERT_INT_S;
const WINDOW_MS = 12_000;
const TIMEOUT_S = 1;
const KILL_GRACE_S = 2;
const FLOOD_BYTES = 100_000_000;

function scripts(dir: string): Record<string, string> {
  return {
    hang: `#!/bin/sh\nsleep 1000 &\necho $! >> ${dir}/hang.pids\nwhile :; do sleep 0.2; done\n`,
    flood: `#!/bin/sh\nhead -c ${FLOOD_BYTES} /dev/zero\nhead -c ${FLOOD_BYTES} /dev/zero >&2\nexec sleep 1000\n`,
    orphans: `#!/bin/sh\nsleep 1000 &\necho $! >> ${dir}/orphans.pids\nsleep 1000 &\necho $! >> ${dir}/orphans.pids\nexit 0\n`,
    noterm: [
      '#!/bin/sh',
      `echo start $$ $(date +%s.%N) >> ${dir}/noterm.log`,
      `trap 'echo term $$ $(date +%s.%N) >> ${dir}/noterm.log' TERM`,
      // a child that ignores SIGTERM too and says it is alive every 20 ms: its last word dates the SIGKILL (appended: a kill mid-write loses no earlier line)
      `sh -c "trap '' TERM; while :; do date +%s.%N >> ${dir}/noterm.alive.$$; sleep 0.02; done" &`,
      `echo $! >> ${dir}/noterm.pids`,
      'while :; do sleep 0.05; done',
      '',
    ].join('\n'),
  };
}

function masterConf(dir: string): string {
  const blocks = Object.keys(scripts(dir)).map((name) =>
    [`vrrp_script ${name} {`, `  script "${dir}/${name}.sh"`, '  interval 2', `  timeout ${TIMEOUT_S}`, '  weight -10', '}', ''].join('\n'));
  const track = ['track_script {', ...Object.keys(scripts(dir)).map((n) => `  ${n}`), '}'];
  return blocks.join('') + confText({ priority: 150, version: 3, advertInt: ADVERT_INT_S, vips: [`${VIP}/24`], extra: track });
}

function start(host: LabHost, scratch: Scratch, tag: string, text: string): LabProcess {
  const file = scratch.file(`${tag}.conf`, text);
  const args = ['-G', '-n', '-l', '-D', '-P', '-f', file, '-p', scratch.path(`${tag}.pid`), '-r', scratch.path(`${tag}-vrrp.pid`)];
  return host.spawn(process.execPath, [KEEPALIVED_TS_BIN, ...args], { TMPDIR: scratch.dir });
}

interface ProcInfo { readonly pid: number; readonly ppid: number; readonly state: string }

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

function zombieChildren(parent: number, pids: readonly number[]): number[] {
  return pids.map(procInfo).filter((p): p is ProcInfo => p !== undefined && p.ppid === parent && p.state === 'Z').map((p) => p.pid);
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function killRecorded(file: string): void {
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

test('hanging, flooding, forking and SIGTERM-deaf vrrp_scripts delay no advert at advert_int 0.05 (no transition, no zombie, bounded memory)', { timeout: 40_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  chmodSync(scratch.dir, 0o755);
  const pidFiles = ['hang', 'orphans', 'noterm'].map((n) => scratch.path(`${n}.pids`));
  try {
    const [h1, h2] = [lab.host(1), lab.host(2)];
    for (const [name, body] of Object.entries(scripts(scratch.dir))) chmodSync(scratch.file(`${name}.sh`, body), 0o755);
    const backup = start(h2, scratch, 'h2', confText({ priority: 100, version: 3, advertInt: ADVERT_INT_S, vips: [`${VIP}/24`] }));
    await waitLog(backup, /\(VI_1\) Entering BACKUP STATE \(init\)/, 8_000);
    const master = start(h1, scratch, 'h1', masterConf(scratch.dir));
    await waitLog(master, /\(VI_1\) Entering MASTER STATE/, 8_000);
    await waitLog(backup, /\(VI_1\) Entering BACKUP STATE$/, 4_000).catch(() => '');
    const capture = await Capture.start(h2.namespace, 'eth0', `ip proto 112 and src host ${h1.ipv4}`);
    const baselineRss = rssKiB(master.pid);
    const linesBefore = { master: master.stderrLines.length + master.stdoutLines.length, backup: backup.stderrLines.length + backup.stdoutLines.length };

    let peakRss = baselineRss;
    let previousZombies = new Set<number>();
    const persistentZombies: number[] = [];
    const until = performance.now() + WINDOW_MS;
    while (performance.now() < until) {
      await sleep(250);
      peakRss = Math.max(peakRss, rssKiB(master.pid));
      const zombies = zombieChildren(master.pid, await h1.namespacePids());
      persistentZombies.push(...zombies.filter((z) => previousZombies.has(z)));
      previousZombies = new Set(zombies);
    }
    const { packets } = await capture.stop();

    const times = packets.map((p) => Number(field(p, 'frame.time_epoch'))).filter((x) => Number.isFinite(x));
    let maxGapS = 0;
    const gaps: number[] = [];
    for (let i = 1; i < times.length; i++) gaps.push((times[i] ?? 0) - (times[i - 1] ?? 0));
    for (const g of gaps) maxGapS = Math.max(maxGapS, g);
    const sorted = [...gaps].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    t.diagnostic(`${times.length} adverts in ${WINDOW_MS / 1000} s; gap max ${(maxGapS * 1000).toFixed(1)} ms, p99 ${(p99 * 1000).toFixed(1)} ms (Master_Down ${(MASTER_DOWN_S * 1000).toFixed(1)} ms)`);
    t.diagnostic(`daemon RSS ${Math.round(baselineRss / 1024)} MiB before, peak ${Math.round(peakRss / 1024)} MiB`);

    const logAfter = (p: LabProcess, from: number): string[] => [...p.stdoutLines, ...p.stderrLines].slice(from);
    const masterLog = logAfter(master, linesBefore.master);
    const transitions = [...masterLog, ...logAfter(backup, linesBefore.backup)].filter((l) => /Entering (MASTER|BACKUP|FAULT) STATE/.test(l));
    assert.deepEqual(transitions, [], 'no transition on either node while the scripts misbehave');
    assert.ok(times.length >= (WINDOW_MS / 1000 / ADVERT_INT_S) * 0.8, `adverts on the wire: ${times.length}`);
    assert.ok(maxGapS < MASTER_DOWN_S, `largest gap between adverts ${(maxGapS * 1000).toFixed(1)} ms >= Master_Down_Interval`);
    for (const name of ['hang', 'flood', 'noterm']) {
      assert.ok(masterLog.some((l) => l.includes(`VRRP_Script(${name}) timed_out`)), `${name} timed out:\n${masterLog.join('\n')}`);
    }
    assert.ok(!masterLog.some((l) => l.includes('VRRP_Script(orphans) failed')), 'orphans exits 0: its children do not make it fail');
    assert.deepEqual(persistentZombies, [], 'no zombie child of the daemon');
    assert.ok(peakRss - baselineRss < 64 * 1024, `RSS grew by ${Math.round((peakRss - baselineRss) / 1024)} MiB under a flood of output`);

    // noterm: SIGTERM at the timeout, SIGKILL (of the whole group, its SIGTERM-deaf child too) 2 s later
    const noterm = readFileSync(scratch.path('noterm.log'), 'utf8').trim().split('\n').map((l) => l.split(' '));
    const firstRun = noterm.find((l) => l[0] === 'start')?.[1] ?? '?';
    const startS = Number(noterm.find((l) => l[0] === 'start' && l[1] === firstRun)?.[2]);
    const termS = Number(noterm.find((l) => l[0] === 'term' && l[1] === firstRun)?.[2]);
    const aliveS = Math.max(...readFileSync(scratch.path(`noterm.alive.${firstRun}`), 'utf8').split('\n').map(Number).filter((x) => x > 0));
    t.diagnostic(`noterm: SIGTERM ${(termS - startS).toFixed(3)} s after start, child last alive ${(aliveS - termS).toFixed(3)} s after SIGTERM`);
    assert.ok(termS - startS >= TIMEOUT_S * 0.9 && termS - startS < TIMEOUT_S + 1, `SIGTERM ${termS - startS} s after start (timeout ${TIMEOUT_S} s)`);
    assert.ok(aliveS - termS >= KILL_GRACE_S * 0.9 && aliveS - termS < KILL_GRACE_S + 1, `SIGKILL ${aliveS - termS} s after SIGTERM (keepalived: ${KILL_GRACE_S} s)`);
    // the children of a timed-out script went with its group; those of a script that exited 0
    // live on (keepalived kills nothing then either)
    const first = (name: string): number => Number(readFileSync(scratch.path(`${name}.pids`), 'utf8').split('\n')[0]);
    assert.equal(procInfo(first('hang')), undefined, 'the first hang run\'s child was killed with its group');
    assert.equal(procInfo(first('noterm')), undefined, 'the first noterm run\'s SIGTERM-deaf child was SIGKILLed with its group');
    assert.notEqual(procInfo(first('orphans')), undefined, 'a child of a script that exited 0 is left alone');

    await stopGracefully(master);
    await stopGracefully(backup);
  } finally {
    for (const f of pidFiles) killRecorded(f);
    await lab.destroy();
    scratch.cleanup();
  }
});
