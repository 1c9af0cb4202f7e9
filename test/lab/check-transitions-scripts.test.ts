/**
 * Lab: the real daemon (keepalived-ts -n -l -C, host 1) with the checkers that need no wire:
 *
 *   MISC_CHECK   a script whose exit status the test flips through a file: 0 (UP) -> 1 (DOWN only
 *                after retry + 1 runs that exited 1, counted by the script itself) -> 0 (UP);
 *                with misc_dynamic, exit 12 sets the weight to 10 and exit 0 restores the
 *                configured weight, each visible in a "Changing weight" line.
 *   FILE_CHECK   track_file with FILE_CHECK weight 0: the file holding 0 is UP, a non-zero value
 *                is DOWN, 0 again is UP (FILE_CHECK has no retry).
 *
 * Every VS has alpha: each real server starts DOWN and its first success logs "Adding service".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabProcess } from '../support/lab/index.js';
import { countLines, expectDown, expectUp, literal, nextLine, ServiceLog, startDaemon, stopDaemon, upDeadlineMs, type CheckTiming } from '../support/check-transitions-support.js';

const MISC: CheckTiming = { delayLoopS: 1, attemptS: 2, retry: 2, delayBeforeRetryS: 2 };
/** FILE_CHECK carries no timing of its own: polled every delay_loop of its VS, no retry. */
const FILE: CheckTiming = { delayLoopS: 1, attemptS: 1, retry: 0, delayBeforeRetryS: 0 };
const RS_WEIGHT = 1;
const MISC_VS = '[192.0.2.206]:tcp:80';
const FILE_VS = '[192.0.2.207]:tcp:80';

function keepalivedConf(dir: string, rs: string): string {
  return `track_file tf_lab {
  file ${dir}/tracked
}

virtual_server 192.0.2.206 80 {
  delay_loop ${MISC.delayLoopS}
  lb_algo rr
  protocol TCP
  alpha
  real_server ${rs} 8080 {
    weight ${RS_WEIGHT}
    MISC_CHECK {
      misc_path "${dir}/misc.sh ${dir}/misc-status"
      misc_timeout ${MISC.attemptS}
      misc_dynamic
      retry ${MISC.retry}
      delay_before_retry ${MISC.delayBeforeRetryS}
      log_all_failures
    }
  }
}

virtual_server 192.0.2.207 80 {
  delay_loop ${FILE.delayLoopS}
  lb_algo rr
  protocol TCP
  alpha
  real_server ${rs} 8081 {
    weight ${RS_WEIGHT}
    FILE_CHECK {
      track_file tf_lab
      weight 0
    }
  }
}
`;
}

/** Exits with the status held in $1, and logs each run with that status. */
const MISC_SCRIPT = `#!/bin/sh
status=$(cat "$1")
echo "ATTEMPT $status" >> "$1.log"
exit "$status"
`;

describe('lab: checker transitions of the real daemon (MISC, FILE)', { concurrency: true }, () => {
  let lab: Lab;
  let dir: string;
  let daemon: LabProcess;
  let rs: string;

  const runsWith = (status: number) => {
    let text = '';
    try {
      text = readFileSync(join(dir, 'misc-status.log'), 'utf8');
    } catch {
      return 0;
    }
    return text.split('\n').filter((l) => l === `ATTEMPT ${status}`).length;
  };
  const startsUp = async (log: ServiceLog, t: CheckTiming, checkerUpLine: RegExp) => {
    await daemon.waitForLine(log.upRe, upDeadlineMs(t) + 2_000);
    await daemon.waitForLine(checkerUpLine, 1_000);
  };

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lab tests need root (network namespaces)');
    dir = mkdtempSync(join(tmpdir(), 'kts-transitions-scripts-'));
    writeFileSync(join(dir, 'misc.sh'), MISC_SCRIPT, { mode: 0o755 });
    writeFileSync(join(dir, 'misc-status'), '0\n');
    writeFileSync(join(dir, 'tracked'), '0\n');
    lab = await Lab.create({ hosts: 2 });
    rs = lab.host(2).ipv4;
    writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf(dir, rs));
    daemon = await startDaemon(lab.host(1), dir, 2);
  });
  after(async () => {
    if (daemon?.running) await stopDaemon(daemon);
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('MISC_CHECK: exit 0 -> 1 is DOWN after retry + 1 failing runs, -> 0 is UP; misc_dynamic exit 12 -> weight 10, exit 0 -> configured weight', async () => {
    const rsName = `[${rs}]:tcp:8080`;
    const log = new ServiceLog(daemon, 'MISC_CHECK', rsName, MISC_VS);
    const success = `Misc check for [${rsName} VS ${MISC_VS}] by [${dir}/misc.sh] succeeded.`;
    const setStatus = async (status: number) => writeFileSync(join(dir, 'misc-status'), `${status}\n`);
    await startsUp(log, MISC, new RegExp(`${literal(success)}$`));

    await expectDown(log, MISC, () => setStatus(1), `MISC_CHECK on service ${rsName} failed after ${MISC.retry} retries.`);
    assert.equal(runsWith(1), MISC.retry + 1, 'runs that exited 1 before the DOWN line');
    const failures = log.lines(log.failureRe);
    assert.ok(failures.slice(-MISC.retry).every((l) => l.includes('exited with status 1')), failures.join('\n'));
    await expectUp(log, MISC, () => setStatus(0), success);

    const weightRe = (from: number, to: number) =>
      new RegExp(`Changing weight from ${from} to ${to} for active service ${literal(rsName)} of VS ${literal(MISC_VS)}$`);
    const dynamic = 12;
    const seen = countLines(daemon, weightRe(RS_WEIGHT, dynamic - 2));
    await setStatus(dynamic);
    await nextLine(daemon, weightRe(RS_WEIGHT, dynamic - 2), seen, upDeadlineMs(MISC));
    const back = countLines(daemon, weightRe(dynamic - 2, RS_WEIGHT));
    await setStatus(0);
    await nextLine(daemon, weightRe(dynamic - 2, RS_WEIGHT), back, upDeadlineMs(MISC));
    assert.equal(countLines(daemon, log.downRe), 1, 'a dynamic status 2..255 keeps the server up');
  });

  it('FILE_CHECK weight 0: the tracked file 0 is UP, 7 is DOWN, 0 is UP again', async () => {
    const rsName = `[${rs}]:tcp:8081`;
    const log = new ServiceLog(daemon, 'FILE_CHECK', rsName, FILE_VS);
    const upLine = (value: number) => new RegExp(`FILE_CHECK tf_lab for ${literal(rsName)}: value ${value}$`);
    await startsUp(log, FILE, upLine(0));
    const write = async (value: number) => writeFileSync(join(dir, 'tracked'), `${value}\n`);
    await expectDown(log, FILE, () => write(7), `FILE_CHECK tf_lab on service ${rsName} failed.`);
    await expectUp(log, FILE, () => write(0), `FILE_CHECK tf_lab for ${rsName}: value 0`);
  });
});
