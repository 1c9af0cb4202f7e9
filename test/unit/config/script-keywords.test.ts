/**
 * Every script keyword is split as keepalived 2.2.7 split it: the whole config pipeline against
 * what keepalived executed (fixtures/script-argv-keepalived-keywords.ts, with how it was recorded),
 * keyword by keyword, in a config built like the recording's. Two families:
 *   - command only: vrrp_script `script`, MISC_CHECK `misc_path` (words after the command ignored);
 *   - command and `user [group]`: notify_up/notify_down, quorum_up/quorum_down, VRRP notify*,
 *     vrrp_notify_fifo_script/lvs_notify_fifo_script (FIFO path appended when run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserInfo } from '../../../src/config/environment.js';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import type { NotifyFifo } from '../../../src/config/model/global.js';
import type { CheckScript, VirtualServer } from '../../../src/config/model/lvs.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';
import { KEEPALIVED_KEYWORD_SCRIPT_ARGV, type RecordedKeyword, type RecordedRun } from './fixtures/script-argv-keepalived-keywords.js';

/** root and nobody/nogroup (65534), as on the recording host. */
class Env extends FakeConfigEnvironment {
  override user(name: string): UserInfo | undefined {
    return name === 'nobody' ? { name, uid: 65534, gid: 65534 } : super.user(name);
  }

  override group(name: string): { readonly name: string; readonly gid: number } | undefined {
    return name === 'nogroup' ? { name, gid: 65534 } : super.group(name);
  }
}

function conf(v: string): string {
  return [
    'global_defs {', '  router_id lab', '  script_user root',
    '  vrrp_notify_fifo /tmp/kx/vfifo', `  vrrp_notify_fifo_script ${v}`,
    '  lvs_notify_fifo /tmp/kx/lfifo', `  lvs_notify_fifo_script ${v}`, '}',
    'vrrp_script chk {', `  script ${v}`, '  interval 1', '}',
    'vrrp_instance VI_1 {', '  state BACKUP', `  notify_backup ${v}`, '  track_script {', '    chk', '  }',
    '  interface eth0', '  virtual_router_id 51', '  priority 100', '  virtual_ipaddress {', '    192.0.2.100/24', '  }', '}',
    'virtual_server 192.0.2.10 1001 {', '  delay_loop 1', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP', '  alpha',
    `  quorum_up ${v}`,
    '  real_server 192.0.2.11 80 {', `    notify_up ${v}`, '    MISC_CHECK {', '      misc_path /bin/true', '    }', '  }', '}',
    'virtual_server 192.0.2.10 1002 {', '  delay_loop 1', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP',
    `  quorum_down ${v}`,
    '  real_server 192.0.2.12 80 {', `    notify_down ${v}`, '    MISC_CHECK {', '      misc_path /bin/false', '    }', '  }', '}',
    'virtual_server 192.0.2.10 1003 {', '  delay_loop 1', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP',
    '  real_server 192.0.2.13 80 {', '    MISC_CHECK {', `      misc_path ${v}`, '    }', '  }', '}', '',
  ].join('\n');
}

type Runs = Record<RecordedKeyword, RecordedRun | null>;

/** What keepalived-ts would run for each keyword (script_user root is the default user). */
function runsOf(v: string): { runs: Runs; messages: string[] } {
  const env = new Env({ files: { 'k.conf': conf(v), '/tmp/kx/argv.sh': '', '/bin/true': '', '/bin/false': '' }, cwd: '/work', interfaces: ['eth0'] });
  const r = loadConfig('k.conf', env);
  const root = { uid: 0, gid: 0 };
  const lvs = (s: CheckScript | undefined): RecordedRun | null => (s ? { argv: s.argv, ...(s.runAs ?? root) } : null);
  const vs = (port: number): VirtualServer | undefined => r.model.lvs?.virtualServers.find((x) => x.name.endsWith(`:${port}`));
  const misc = vs(1003)?.realServers[0]?.checkers[0];
  const g = r.model.global;
  const fifo = (f: NotifyFifo | undefined): RecordedRun | null => (f?.script ? { argv: [...f.script.argv, f.path], uid: (f.user ?? root).uid, gid: (f.user ?? root).gid } : null);
  const chk = r.model.vrrp?.scripts.find((s) => s.name === 'chk')?.script;
  const backup = r.model.vrrp?.instances[0]?.notify.backup;
  const runs: Runs = {
    misc_path: misc?.type === 'MISC_CHECK' ? lvs(misc.script) : null,
    notify_up: lvs(vs(1001)?.realServers[0]?.notifyUp),
    notify_down: lvs(vs(1002)?.realServers[0]?.notifyDown),
    quorum_up: lvs(vs(1001)?.quorumUp),
    quorum_down: lvs(vs(1002)?.quorumDown),
    vrrp_notify_fifo_script: fifo(g?.vrrpNotifyFifo),
    lvs_notify_fifo_script: fifo(g?.lvsNotifyFifo),
    script: chk ? { argv: chk.command.argv, uid: chk.user.uid, gid: chk.user.gid } : null,
    notify_backup: backup ? { argv: backup.command.argv, uid: backup.user.uid, gid: backup.user.gid } : null,
  };
  return { runs, messages: r.diagnostics.list.map(formatDiagnostic) };
}

const FAMILIES: ReadonlyArray<readonly [string, readonly RecordedKeyword[]]> = [
  ['command only', ['script', 'misc_path']],
  ['LVS notify', ['notify_up', 'notify_down']],
  ['LVS quorum', ['quorum_up', 'quorum_down']],
  ['VRRP notify', ['notify_backup']],
  ['notify FIFO', ['vrrp_notify_fifo_script', 'lvs_notify_fifo_script']],
];

for (const [family, keywords] of FAMILIES) {
  test(`${family} (${keywords.join(', ')}): argv and user of the ${KEEPALIVED_KEYWORD_SCRIPT_ARGV.length} values keepalived 2.2.7 ran`, () => {
    for (const { script, ran, lookedFor } of KEEPALIVED_KEYWORD_SCRIPT_ARGV) {
      const got = runsOf(script);
      for (const k of keywords) {
        const why = `${k} ${script}\n${got.messages.join('\n')}`;
        // a program that does not exist: keepalived looked for it and ran nothing; we must at
        // least look for the same one (the LVS and FIFO scripts then fail when started)
        if (lookedFor !== undefined) assert.ok(got.runs[k] === null || got.runs[k]?.argv[0] === lookedFor, why);
        else assert.deepEqual(got.runs[k], ran[k], why);
      }
    }
  });
}

test('an LVS notify or a FIFO script whose user does not exist is dropped with keepalived 2.2.7\'s daemon lines', () => {
  const got = runsOf('"/tmp/kx/argv.sh u4" nosuchuser');
  for (const line of [
    "(k.conf: Line 5) Script user 'nosuchuser' does not exist",
    '(k.conf: Line 5) Invalid user/group for vrrp_notify_fifo script /tmp/kx/argv.sh - ignoring',
    '(k.conf: Line 7) Invalid user/group for lvs_notify_fifo script /tmp/kx/argv.sh - ignoring',
    '(k.conf: Line 29) Invalid user/group for quorum script /tmp/kx/argv.sh - ignoring',
    '(k.conf: Line 31) Invalid user/group for notify script /tmp/kx/argv.sh - ignoring',
  ]) assert.ok(got.messages.some((m) => m.endsWith(line.replace(/^\(k\.conf: Line \d+\) /, ''))), `${line}\n${got.messages.join('\n')}`);
});
