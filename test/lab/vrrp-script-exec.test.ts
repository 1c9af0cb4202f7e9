/**
 * Lab: how a vrrp_script is executed, keepalived 2.2.7 against keepalived-ts on the same config
 * (one lab host each, VRRP only). Every script writes what it was given to a file: its argv
 * (NUL-separated), `id -u`, `id -g`, `id -G` and where its stdout/stderr go. Compared:
 *
 *   - argv of tricky `script` values (quotes, escapes, unquoted multi-word);
 *   - the user and group: `user nobody`, `user daemon nogroup`, no user with `script_user daemon`
 *     given globally, and supplementary groups (only the script's gid);
 *   - a `user` that does not resolve (`nobody:daemon`): the script is not run by either;
 *   - stdout and stderr: /dev/null, stdin: /dev/null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { KEEPALIVED_TS_BIN, Scratch, stopGracefully, waitLog } from './vrrp-support.js';

const PROBE = `#!/bin/sh
tag=\${1-}; [ $# -gt 0 ] && shift
out=$(dirname "$0")/out/$OUT_FLAVOUR-$tag
: > "$out.argv"
for a in "$@"; do printf '%s\\0' "$a" >> "$out.argv"; done
fds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2 | tr '\\n' ' ')
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) fds=$fds" > "$out.id"
exit 0
`;

/** [name, the text after `script`, the `user` line or ''] */
function scripts(probe: string): Array<[string, string, string]> {
  return [
    ['quotes', `"${probe} quotes 'a b' \\"c d\\" e\\\\ f"`, ''],
    ['escapes', `"${probe} escapes a\\tb 'x\\\\ty' \\x41"`, ''],
    ['single', `'${probe} single "a b" c'`, ''],
    ['unquoted', `${probe} unquoted a b`, ''],
    ['nobody', `"${probe} nobody"`, 'user nobody'],
    ['daemon', `"${probe} daemon"`, 'user daemon nogroup'],
    ['default', `"${probe} default"`, ''],
    ['badgroup', `"${probe} badgroup"`, 'user nobody:daemon'],
  ];
}

function conf(probe: string): string {
  const lines = ['global_defs {', '  router_id lab', '  script_user daemon', '}'];
  for (const [name, value, user] of scripts(probe)) {
    lines.push(`vrrp_script ${name} {`, `  script ${value}`, '  interval 60', '  weight 1');
    if (user) lines.push(`  ${user}`);
    lines.push('}');
  }
  lines.push('vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', '  virtual_router_id 51', '  priority 100', '  track_script {');
  for (const [name] of scripts(probe)) lines.push(`    ${name}`);
  lines.push('  }', '  virtual_ipaddress {', '    192.0.2.100/24', '  }', '}', '');
  return lines.join('\n');
}

function start(flavour: 'ts' | 'keepalived', host: LabHost, scratch: Scratch, file: string): LabProcess {
  const args = ['-n', '-l', '-D', '-P', '-f', file, '-p', scratch.path(`${flavour}.pid`), '-r', scratch.path(`${flavour}-vrrp.pid`)];
  const env = { OUT_FLAVOUR: flavour, TMPDIR: scratch.dir };
  if (flavour === 'ts') return host.spawn(process.execPath, [KEEPALIVED_TS_BIN, '-G', ...args], env);
  return host.spawn('/usr/sbin/keepalived', args, env);
}

function read(dir: string, flavour: string, tag: string): { argv: string[] | null; id: string | null } {
  const base = join(dir, 'out', `${flavour}-${tag}`);
  const argv = existsSync(`${base}.argv`) ? readFileSync(`${base}.argv`, 'utf8').split('\0').slice(0, -1) : null;
  const id = existsSync(`${base}.id`) ? readFileSync(`${base}.id`, 'utf8').trim() : null;
  return { argv, id };
}

test('vrrp_script execution: argv, uid/gid/groups and stdio are those of keepalived 2.2.7', { timeout: 40_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    chmodSync(scratch.dir, 0o755);
    mkdirSync(join(scratch.dir, 'out'), { mode: 0o777 });
    chmodSync(join(scratch.dir, 'out'), 0o777);
    const probe = scratch.file('probe.sh', PROBE);
    chmodSync(probe, 0o755);
    const file = scratch.file('k.conf', conf(probe));
    const daemons = [start('keepalived', lab.host(1), scratch, file), start('ts', lab.host(2), scratch, file)];
    // every script runs at startup; 'default' is one of the last, and the unquoted one fails (no tag)
    for (const d of daemons) await waitLog(d, /VRRP_Script\(default\) succeeded/, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const d of daemons) await stopGracefully(d);

    for (const [name] of scripts(probe)) {
      if (name === 'unquoted') continue;
      const k = read(scratch.dir, 'keepalived', name);
      const ts = read(scratch.dir, 'ts', name);
      t.diagnostic(`${name}: keepalived ${JSON.stringify(k)}`);
      assert.deepEqual(ts, k, `script ${name}`);
    }
    // the unquoted value runs the probe alone (no tag: it writes out/<flavour>-.argv)
    assert.deepEqual(read(scratch.dir, 'ts', ''), read(scratch.dir, 'keepalived', ''), 'unquoted: only the first word runs');
    assert.notEqual(read(scratch.dir, 'keepalived', '').id, null, 'keepalived ran the unquoted script');
    // facts keepalived 2.2.7 showed, as a check on the comparison itself
    assert.deepEqual(read(scratch.dir, 'keepalived', 'quotes').argv, ['a b', 'c d', 'e f']);
    assert.deepEqual(read(scratch.dir, 'keepalived', 'escapes').argv, ['a', 'b', 'x\ty', 'A']);
    assert.match(read(scratch.dir, 'keepalived', 'nobody').id ?? '', /^uid=65534 gid=65534 groups=65534 fds=\/dev\/null \/dev\/null \/dev\/null$/);
    assert.match(read(scratch.dir, 'keepalived', 'daemon').id ?? '', /^uid=1 gid=65534 groups=65534 /);
    assert.match(read(scratch.dir, 'keepalived', 'default').id ?? '', /^uid=1 gid=1 groups=1 /);
    assert.equal(read(scratch.dir, 'keepalived', 'badgroup').id, null);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
