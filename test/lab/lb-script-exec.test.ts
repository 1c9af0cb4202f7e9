/**
 * Lab: what the real daemon (keepalived-ts -n -l -C, lb_data_plane none) executes for the checker
 * script keywords, against what keepalived 2.2.7 executed for the same values
 * (test/unit/config/fixtures/script-argv-keepalived-keywords.ts, recorded with strace; keepalived's
 * checker cannot run on this kernel without IPVS, so the reference is the recording). Every
 * script is a copy of one probe per (value, keyword) that writes its argv (NUL-separated) and
 * `id -u`/`id -g` on its first run. Config as in the recording: per value one VS with alpha,
 * quorum_up and a real server with notify_up (MISC_CHECK /bin/true), one with quorum_down and a
 * real server with notify_down (MISC_CHECK /bin/false), one with MISC_CHECK misc_path VALUE; plus
 * lvs_notify_fifo_script for one value. Compared: argv, uid and gid, and "did not run".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../support/lab/index.js';
import { spawnDaemon, stopDaemon, waitCheckersActive } from '../support/lab-daemon.js';
import { KEEPALIVED_KEYWORD_SCRIPT_ARGV, type RecordedKeyword, type RecordedRun } from '../unit/config/fixtures/script-argv-keepalived-keywords.js';

const PROBE = `#!/bin/sh
d=$(dirname "$0")
[ -e "$d/argv" ] && exit 0
: > "$d/argv.tmp"
for a in "$@"; do printf '%s\\0' "$a" >> "$d/argv.tmp"; done
echo "$(id -u) $(id -g)" > "$d/id"
mv "$d/argv.tmp" "$d/argv"
exit 0
`;

/** Values of the recording: quotes, escapes, unquoted, user words, glued pieces, a pipeline. */
const TAGS = ['q2', 'r4', 'q3', 'u2', 'u12', 'g1', 'g2', 'g6'];
const FIFO_TAG = 'u12';
const LVS_KEYWORDS: readonly RecordedKeyword[] = ['misc_path', 'notify_up', 'notify_down', 'quorum_up', 'quorum_down'];

const values = TAGS.map((tag) => {
  const v = KEEPALIVED_KEYWORD_SCRIPT_ARGV.find((x) => new RegExp(`argv\\.sh\\s+${tag}\\b|argv\\.sh ${tag}"`).test(x.script));
  if (!v) throw new Error(`no recorded value ${tag}`);
  return { tag, ...v };
});

function conf(dir: string): string {
  const at = (tag: string, kw: string, value: string): string => value.split('/tmp/kx/argv.sh').join(join(dir, `${tag}-${kw}`, 'argv.sh'));
  const fifo = values.find((v) => v.tag === FIFO_TAG);
  const lines = ['global_defs {', '  router_id lab', '  script_user root', '  lb_data_plane none',
    `  lvs_notify_fifo ${dir}/lfifo`, `  lvs_notify_fifo_script ${at(FIFO_TAG, 'lvs_notify_fifo_script', fifo?.script ?? '')}`, '}'];
  values.forEach((v, i) => {
    const vs = (port: number, body: string[]): string[] => [`virtual_server 192.0.2.10 ${port} {`, '  delay_loop 1', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP', ...body, '}'];
    lines.push(
      ...vs(1000 + i * 3, ['  alpha', `  quorum_up ${at(v.tag, 'quorum_up', v.script)}`, `  real_server 192.0.2.${20 + i} 80 {`, `    notify_up ${at(v.tag, 'notify_up', v.script)}`, '    MISC_CHECK {', '      misc_path /bin/true', '    }', '  }']),
      ...vs(1001 + i * 3, [`  quorum_down ${at(v.tag, 'quorum_down', v.script)}`, `  real_server 192.0.2.${40 + i} 80 {`, `    notify_down ${at(v.tag, 'notify_down', v.script)}`, '    MISC_CHECK {', '      misc_path /bin/false', '    }', '  }']),
      ...vs(1002 + i * 3, [`  real_server 192.0.2.${60 + i} 80 {`, '    MISC_CHECK {', `      misc_path ${at(v.tag, 'misc_path', v.script)}`, '    }', '  }']),
    );
  });
  return `${lines.join('\n')}\n`;
}

function ran(dir: string, tag: string, kw: string, fifo?: string): RecordedRun | null {
  const d = join(dir, `${tag}-${kw}`);
  if (!existsSync(join(d, 'argv'))) return null;
  const args = readFileSync(join(d, 'argv'), 'latin1').split('\0').slice(0, -1).map((a) => (a === fifo ? '/tmp/kx/lfifo' : a));
  const [uid, gid] = readFileSync(join(d, 'id'), 'utf8').trim().split(' ').map(Number);
  return { argv: ['/tmp/kx/argv.sh', ...args], uid: uid ?? -1, gid: gid ?? -1 };
}

test('checker scripts: the daemon runs misc_path, notify_up/down, quorum_up/down and lvs_notify_fifo_script as keepalived 2.2.7 did', { timeout: 40_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'kts-lbscript-'));
  try {
    chmodSync(dir, 0o755);
    for (const v of values) {
      for (const kw of [...LVS_KEYWORDS, 'lvs_notify_fifo_script']) {
        const d = join(dir, `${v.tag}-${kw}`);
        mkdirSync(d, { mode: 0o777 });
        chmodSync(d, 0o777);
        writeFileSync(join(d, 'argv.sh'), PROBE, { mode: 0o755 });
      }
    }
    writeFileSync(join(dir, 'keepalived.conf'), conf(dir));
    const daemon = spawnDaemon(lab.host(1), dir, ['-C']);
    await waitCheckersActive(daemon, values.length * 3);
    // bound: alpha servers come up on their first check, /bin/false servers go down on theirs
    // (retry 1 after delay_before_retry 1 s): a few delay_loops of 1 s
    const deadline = Date.now() + 10_000;
    const expectRuns = values.flatMap((v) => LVS_KEYWORDS.filter((kw) => v.ran[kw] !== null).map((kw) => join(dir, `${v.tag}-${kw}`, 'argv')));
    while (Date.now() < deadline && !expectRuns.every((p) => existsSync(p))) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1_000)); // the scripts that must not run have had their chance
    await stopDaemon(daemon);
    for (const v of values) {
      for (const kw of LVS_KEYWORDS) {
        const got = ran(dir, v.tag, kw);
        t.diagnostic(`${kw} ${v.script}: keepalived ${JSON.stringify(v.ran[kw])}`);
        assert.deepEqual(got, v.ran[kw], `${kw} ${v.script}\n${daemon.stdoutLines.slice(-40).join('\n')}`);
      }
    }
    const fifo = values.find((v) => v.tag === FIFO_TAG);
    assert.deepEqual(ran(dir, FIFO_TAG, 'lvs_notify_fifo_script', join(dir, 'lfifo')), fifo?.ran.lvs_notify_fifo_script, 'lvs_notify_fifo_script');
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
