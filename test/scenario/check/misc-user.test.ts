/**
 * A MISC_CHECK's `user` is the user its script runs as, as keepalived 2.2.7 does: config pipeline,
 * plan and the real probe builder, with a recording process runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProbeBuilder } from '../../../src/check/checker-subsystem-probes.js';
import { planServers } from '../../../src/check/checker-subsystem-plan.js';
import type { MiscProcessRunner } from '../../../src/check/probes/misc-check.js';
import type { UserInfo } from '../../../src/config/environment.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';
import { ManualClock, seededRng } from './manual-clock.js';

class Env extends FakeConfigEnvironment {
  override user(name: string): UserInfo | undefined {
    return name === 'nobody' ? { name, uid: 65534, gid: 65534 } : super.user(name);
  }

  override group(name: string): { readonly name: string; readonly gid: number } | undefined {
    return name === 'nogroup' ? { name, gid: 65534 } : super.group(name);
  }
}

test("a MISC_CHECK's `user` (before or after misc_path) is the user its script runs as (keepalived 2.2.7)", async () => {
  // recorded like the fixtures: MISC_CHECK { misc_path "/tmp/kxs/mu/a.sh x"; user nobody } and
  // { user nobody; misc_path "..." } ran execve(["/tmp/kxs/mu/a.sh", "x"]) after setgid(65534), setuid(65534)
  const rs = (n: number, body: string): string => `  real_server 192.0.2.${n} 80 {\n    MISC_CHECK {\n${body}\n    }\n  }`;
  const text = [
    'global_defs {', '  script_user root', '}',
    'virtual_server 192.0.2.10 80 {', '  delay_loop 1', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP',
    rs(13, '      misc_path "/tmp/kx/argv.sh x"\n      user nobody'),
    rs(14, '      user nobody nogroup\n      misc_path "/tmp/kx/argv.sh y"'),
    rs(15, '      misc_path "/tmp/kx/argv.sh z"'),
    '}', '',
  ].join('\n');
  const env = new Env({ files: { 'k.conf': text, '/tmp/kx/argv.sh': '' }, cwd: '/work' });
  const lvs = loadConfig('k.conf', env).model.lvs;
  const requests: Array<{ argv: readonly string[]; uid?: number; gid?: number }> = [];
  const runner: MiscProcessRunner = { run: (r) => { requests.push({ argv: r.argv, ...(r.uid !== undefined ? { uid: r.uid } : {}), ...(r.gid !== undefined ? { gid: r.gid } : {}) }); return Promise.resolve({ kind: 'exited', exitCode: 0 }); } };
  const build = createProbeBuilder({ clock: new ManualClock(), rng: seededRng(1), runner, scriptUser: { uid: 7, gid: 7 } });
  for (const server of planServers(lvs)) {
    for (const plan of server.checkers) await (await build(server, plan, lvs ?? { virtualServers: [], groups: new Map() }))(new AbortController().signal);
  }
  assert.deepEqual(requests, [
    { argv: ['/tmp/kx/argv.sh', 'x'], uid: 65534, gid: 65534 },
    { argv: ['/tmp/kx/argv.sh', 'y'], uid: 65534, gid: 65534 },
    { argv: ['/tmp/kx/argv.sh', 'z'], uid: 7, gid: 7 },
  ]);
});
