/**
 * max_auto_priority / min_auto_priority_delay on a real kernel, keepalived-ts beside keepalived
 * 2.2.7. Three masters at advert_int 0.01 (each alone on its VRID), all pinned to CPU 0 with a
 * busy loop pinned there too; each VRRP process is also stopped (SIGSTOP) for 25 ms a few times,
 * so that its timers are certainly late by more than min_auto_priority_delay 1000 us (the busy
 * loop alone usually does it, not certainly).
 *   h1 keepalived-ts, max_auto_priority 3: "A thread timer expired ..." then "Set realtime
 *      priority 1", 2, 3 and no further step; every thread SCHED_RR|SCHED_RESET_ON_FORK at 3;
 *      RLIMIT_RTTIME soft 50000 us, hard 100000 (ours); no startup NOTICE;
 *   h2 keepalived-ts without max_auto_priority: the lateness lines only, SCHED_OTHER stays, and
 *      the startup NOTICE right after "Configuration file ...";
 *   h3 keepalived 2.2.7 with h1's config: the same lines and SCHED_RR 3 on its VRRP child
 *      (RLIMIT_RTTIME 5000/10000, its default).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { LabHost, LabProcess } from '../support/lab/index.js';
import { instanceText, KEEPALIVED_TS_BIN, waitLog, withVrrpLab, type Flavour, type Scratch } from './vrrp-support.js';

const CPU = '0';
const NOTICE = 'NOTICE: setting config option max_auto_priority should result in better keepalived performance';
const LATE = /A thread timer expired \d+\.\d{6} seconds ago$/;
const SET = /Set realtime priority (\d+)$/;
const STOPS = 5;
const STOP_MS = 25;
const SCHED_OTHER = 0;
const SCHED_RR = 2;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function logOf(proc: LabProcess): string[] {
  return proc.stdoutLines.concat(proc.stderrLines);
}

/** A master alone on `vrid` at advert_int 0.01, pinned to CPU (taskset execs: the PID is the daemon's). */
function start(flavour: Flavour, host: LabHost, scratch: Scratch, vrid: number, globalDefs: readonly string[]): LabProcess {
  const tag = `h${host.index}`;
  const text = ['global_defs {', '  router_id lab', ...globalDefs.map((l) => `  ${l}`), '}', instanceText('VI_1', { priority: 150, vrid, version: 3, advertInt: 0.01, vips: [`192.0.2.${100 + vrid - 50}/24`] })].join('\n');
  const file = scratch.file(`${tag}.conf`, text);
  const args = ['-n', '-l', '-D', '-P', '-f', file, '-p', scratch.path(`${tag}.pid`), '-r', scratch.path(`${tag}-vrrp.pid`)];
  if (flavour === 'ts') return host.spawn('taskset', ['-c', CPU, process.execPath, KEEPALIVED_TS_BIN, '-G', ...args], { TMPDIR: scratch.dir });
  return host.spawn('taskset', ['-c', CPU, '/usr/sbin/keepalived', ...args]);
}

/** keepalived's VRRP child from its pidfile; keepalived-ts is one process. */
async function vrrpPid(flavour: Flavour, proc: LabProcess, scratch: Scratch, tag: string): Promise<number> {
  if (flavour === 'ts') return proc.pid;
  for (let i = 0; i < 100; i++) {
    try {
      const pid = Number(readFileSync(scratch.path(`${tag}-vrrp.pid`), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch {
      // not written yet
    }
    await sleep(50);
  }
  throw new Error(`no VRRP pid for ${tag}`);
}

/** policy/rt_priority of every thread (/proc/PID/task/TID/stat fields 41 and 40). */
function threadScheduling(pid: number): { tid: number; policy: number; priority: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), policy: Number(fields[38]), priority: Number(fields[37]) };
  });
}

/** "Max realtime timeout  SOFT  HARD  us" of /proc/PID/limits. */
function rttimeLimit(pid: number): string {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max realtime timeout')) ?? '';
  return line.replace(/^Max realtime timeout\s+/, '').replace(/\s+/g, ' ').trim();
}

function setPriorities(proc: LabProcess): number[] {
  return logOf(proc).flatMap((l) => {
    const m = SET.exec(l);
    return m === null ? [] : [Number(m[1])];
  });
}

test('max_auto_priority: late VRRP timers raise keepalived-ts one step each up to the maximum, as keepalived 2.2.7; without it SCHED_OTHER stays', { timeout: 40_000 }, async () => {
  await withVrrpLab(3, async (lab, scratch) => {
    const auto = ['max_auto_priority 3', 'min_auto_priority_delay 1000'];
    const daemons = [
      { name: 'keepalived-ts max_auto_priority 3', flavour: 'ts' as const, proc: start('ts', lab.host(1), scratch, 51, auto), tag: 'h1' },
      { name: 'keepalived-ts without max_auto_priority', flavour: 'ts' as const, proc: start('ts', lab.host(2), scratch, 52, ['min_auto_priority_delay 1000']), tag: 'h2' },
      { name: 'keepalived 2.2.7 max_auto_priority 3', flavour: 'keepalived' as const, proc: start('keepalived', lab.host(3), scratch, 53, auto), tag: 'h3' },
    ];
    for (const d of daemons) await waitLog(d.proc, /\(VI_1\) Entering MASTER STATE/, 8_000);
    const pids = await Promise.all(daemons.map((d) => vrrpPid(d.flavour, d.proc, scratch, d.tag)));
    const busy = lab.host(1).spawn('taskset', ['-c', CPU, 'sh', '-c', 'while :; do :; done']);
    try {
      for (let i = 0; i < STOPS; i++) {
        for (const pid of pids) process.kill(pid, 'SIGSTOP');
        await sleep(STOP_MS);
        for (const pid of pids) process.kill(pid, 'SIGCONT');
        await sleep(150);
      }
      const [ts, plain, ka] = daemons as [(typeof daemons)[number], (typeof daemons)[number], (typeof daemons)[number]];
      await waitLog(ts.proc, /Set realtime priority 3$/, 5_000);
      await waitLog(ka.proc, /Set realtime priority 3$/, 5_000);
      await waitLog(plain.proc, LATE, 5_000);
      await sleep(300);

      for (const d of [ts, ka]) {
        const log = logOf(d.proc);
        assert.deepEqual(setPriorities(d.proc), [1, 2, 3], `${d.name}: one step per late wake-up, never above 3:\n${log.join('\n')}`);
        const firstSet = log.findIndex((l) => SET.test(l));
        assert.match(log[firstSet - 1] ?? '', LATE, `${d.name}: the lateness line comes first`);
        assert.ok(log.filter((l) => LATE.test(l)).length > 3, `${d.name}: late wake-ups at the maximum are still logged`);
        assert.equal(log.includes(NOTICE) || log.some((l) => l.endsWith(NOTICE)), false, `${d.name}: no NOTICE with max_auto_priority`);
      }
      const tsThreads = threadScheduling(pids[0] as number);
      assert.ok(tsThreads.length > 1, 'a Node process has several threads');
      assert.deepEqual(tsThreads.filter((t) => t.policy !== SCHED_RR || t.priority !== 3), [], 'every thread of keepalived-ts at SCHED_RR 3');
      assert.match(execFileSync('chrt', ['-p', String(pids[0])], { encoding: 'utf8' }), /SCHED_RR\|SCHED_RESET_ON_FORK[\s\S]*priority: 3/);
      assert.equal(rttimeLimit(pids[0] as number), '50000 100000 us', 'RLIMIT_RTTIME as with vrrp_rt_priority (our 100 ms default)');
      assert.deepEqual(threadScheduling(pids[2] as number).map((t) => [t.policy, t.priority]), [[SCHED_RR, 3]], "keepalived's VRRP child");
      assert.equal(rttimeLimit(pids[2] as number), '5000 10000 us');

      const plainLog = logOf(plain.proc);
      assert.deepEqual(setPriorities(plain.proc), [], `no max_auto_priority: no step:\n${plainLog.join('\n')}`);
      assert.deepEqual(threadScheduling(pids[1] as number).filter((t) => t.policy !== SCHED_OTHER), [], 'SCHED_OTHER stays');
      const config = plainLog.findIndex((l) => / Configuration file /.test(l));
      assert.ok(config >= 0 && (plainLog[config + 1] ?? '').endsWith(NOTICE), `the NOTICE right after the config file line:\n${plainLog.slice(0, 8).join('\n')}`);
    } finally {
      await busy.stop(1_000);
    }
  });
});
