/**
 * Script security at run time, against keepalived 2.2.7 on the same config: with
 * `enable_script_security` (and `script_user root`), a root-owned script in a world-writable
 * directory (mode 0777, no sticky bit: anyone could replace it) is refused, as a vrrp_script and
 * as a notify script. `-t` gives keepalived's exit code and lines; the running daemons log the
 * same lines, never run the script (it would leave a marker file) and still become MASTER.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { confText, KEEPALIVED_TS_BIN, Scratch, startDaemonWith, stopGracefully, waitLog, type Flavour } from './vrrp-support.js';

const SECURITY_LINE = /Unsafe permissions|insecure|SECURITY|track script/;

/** The message part of a daemon log line (without the time stamp and the program name). */
function message(line: string): string {
  return line.replace(/^\w{3} \w{3} +\d+ [\d:]+ \d{4}: (keepalived-ts: )?/, '');
}

function securityLines(proc: LabProcess): string[] {
  return [...proc.stdoutLines, ...proc.stderrLines].map(message).filter((l) => SECURITY_LINE.test(l));
}

async function configTest(host: LabHost, flavour: Flavour, file: string): Promise<{ code: number | null; lines: string[] }> {
  const args = ['-t', '-f', file];
  const r = flavour === 'ts' ? await host.exec(process.execPath, [KEEPALIVED_TS_BIN, ...args]) : await host.exec('/usr/sbin/keepalived', args);
  return { code: r.exitCode, lines: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l !== '') };
}

test('enable_script_security: a root-owned script in a world-writable directory is refused (-t and running daemon) with keepalived 2.2.7\'s exit code and lines', { timeout: 40_000 }, async () => {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    chmodSync(scratch.dir, 0o755);
    const dir = scratch.path('world-writable');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const script = `${dir}/check.sh`;
    writeFileSync(script, `#!/bin/sh\necho "$*" >> ${scratch.path('ran')}\n`);
    chmodSync(script, 0o755);
    const conf = (vrid: number): Parameters<typeof confText>[0] => ({
      priority: 100,
      vrid,
      vips: [`192.0.2.${vrid + 49}/24`],
      top: ['vrrp_script chk {', `  script "${script} chk"`, '  interval 1', '  weight -20', '}'],
      extra: [`notify_master "${script} master"`, 'track_script {', '  chk', '}'],
    });
    const globalDefs = (text: string): string => text.replace('  router_id lab\n', '  router_id lab\n  enable_script_security\n  script_user root\n');

    // -t: the same exit code and lines as keepalived 2.2.7
    const file = scratch.file('t.conf', globalDefs(confText(conf(51))));
    const theirs = await configTest(lab.host(1), 'keepalived', file);
    const ours = await configTest(lab.host(1), 'ts', file);
    assert.deepEqual(theirs, { code: 5, lines: ['Disabling track script chk due to insecure'] }, 'keepalived 2.2.7 -t (the reference)');
    assert.deepEqual(ours, theirs, 'keepalived-ts -t agrees with keepalived 2.2.7');

    // running: both refuse the script with the same lines, never run it, and still become MASTER
    const logs: Record<Flavour, string[]> = { ts: [], keepalived: [] };
    for (const [flavour, host, vrid] of [['keepalived', lab.host(1), 51], ['ts', lab.host(2), 52]] as const) {
      const tag = `h-${flavour}`;
      const proc = startDaemonWith(flavour, host, scratch, globalDefs(confText(conf(vrid))), tag);
      await waitLog(proc, /\(VI_1\) Entering MASTER STATE/, 8_000);
      // the script's interval is 1 s: had it been enabled, it would have run by now
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      logs[flavour] = securityLines(proc);
      await stopGracefully(proc);
    }
    const unsafe = `Unsafe permissions found for script '${script}' - disabling.`;
    assert.deepEqual(logs.keepalived, [unsafe, 'Disabling track script chk due to insecure', unsafe], 'keepalived 2.2.7 (the reference)');
    assert.deepEqual(logs.ts, logs.keepalived, 'keepalived-ts logs what keepalived logs');
    assert.equal(existsSync(scratch.path('ran')), false, 'the insecure script never ran');
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
