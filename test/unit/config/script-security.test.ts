/**
 * Script security as keepalived 2.2.7 applies it (each case measured with keepalived -t and the
 * running daemon, script_user root): a root script is insecure when it or a directory above it
 * can be changed by a non-root user, except through a sticky directory (/tmp is fine). With
 * enable_script_security an insecure vrrp_script is dropped ("Disabling track script X due to
 * insecure", exit 5) and an insecure notify script silently; without it they run and the summary
 * line gets " There are insecure scripts." (exit 6). The running daemon also logs "Unsafe
 * permissions found for script 'P' - disabling." (without script security: "... 'P'.").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigErrorClass, formatDiagnostic, shownByConfigTest } from '../../../src/config/diagnostics.js';
import type { ConfigEnvironment, FileInfo } from '../../../src/config/environment.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { isPathSecureForRoot } from '../../../src/config/scripts.js';
import { fakeEnv } from './fake-env.js';

function node(mode: number, opts: { dir?: boolean; uid?: number; gid?: number } = {}): FileInfo {
  const dir = opts.dir ?? true;
  return { isFile: !dir, isDirectory: dir, isSymlink: false, mode, uid: opts.uid ?? 0, gid: opts.gid ?? 0 };
}

/** A machine where /s/<case>/chk.sh exists with the given directory and file modes. */
function env(tree: Record<string, FileInfo>, files: Record<string, string> = {}): ConfigEnvironment {
  const base = fakeEnv({ ifs: ['eth0'], exec: Object.keys(tree).filter((p) => tree[p]?.isFile === true), files });
  return { ...base, stat: (p) => tree[p] ?? base.stat(p) };
}

const ROOT = { '/': node(0o755), '/s': node(0o1777) };

test('path rule: sticky directories and group root are fine; other-writable, foreign group or owner are not', () => {
  const cases: Array<[string, FileInfo, FileInfo, boolean]> = [
    ['sticky 1777 dir', node(0o1777), node(0o755, { dir: false }), true],
    ['sticky 1775 dir of a user group', node(0o1775, { gid: 1000 }), node(0o755, { dir: false }), true],
    ['0775 dir of group root', node(0o775), node(0o755, { dir: false }), true],
    ['0777 dir', node(0o777), node(0o755, { dir: false }), false],
    ['0775 dir of a user group', node(0o775, { gid: 1000 }), node(0o755, { dir: false }), false],
    ['dir owned by a user', node(0o755, { uid: 1000 }), node(0o755, { dir: false }), false],
    ['0757 script', node(0o755), node(0o757, { dir: false }), false],
    ['0775 script of a user group', node(0o755), node(0o775, { dir: false, gid: 1000 }), false],
  ];
  for (const [what, dir, file, secure] of cases) {
    const e = env({ ...ROOT, '/s/d': dir, '/s/d/chk.sh': file });
    assert.equal(isPathSecureForRoot(e, '/s/d/chk.sh'), secure, what);
  }
});

function conf(security: boolean, notify: boolean): string {
  const global = `global_defs {\n  script_user root\n${security ? '  enable_script_security\n' : ''}}\n`;
  const script = 'vrrp_script chk {\n  script /s/d/chk.sh\n}\n';
  const use = notify ? '  notify_master /s/d/chk.sh\n' : '  track_script {\n    chk\n  }\n';
  return `${global}${notify ? '' : script}vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n${use}  virtual_ipaddress {\n    192.0.2.100\n  }\n}\n`;
}

function check(text: string): { lines: string[]; exit: number; scripts: number; daemon: string[] } {
  const e = env({ ...ROOT, '/s/d': node(0o777), '/s/d/chk.sh': node(0o755, { dir: false }) }, { '/k.conf': text });
  const r = loadConfig('/k.conf', e);
  const vi = r.model.vrrp?.instances[0];
  const list = r.diagnostics.list;
  return {
    lines: list.filter(shownByConfigTest).map(formatDiagnostic),
    exit: r.diagnostics.exitCode,
    scripts: (r.model.vrrp?.scripts.length ?? 0) + (vi?.notify.master ? 1 : 0),
    daemon: list.filter((d) => d.cls === ConfigErrorClass.DaemonLog).map((d) => d.message),
  };
}

test('enable_script_security: an insecure vrrp_script is disabled (exit 5), an insecure notify script silently (exit 0)', () => {
  const disabling = ["Unsafe permissions found for script '/s/d/chk.sh' - disabling."];
  assert.deepEqual(check(conf(true, false)), { lines: ['Disabling track script chk due to insecure'], exit: 5, scripts: 0, daemon: disabling });
  assert.deepEqual(check(conf(true, true)), { lines: [], exit: 0, scripts: 0, daemon: disabling });
});

test('without script security the insecure scripts run and the summary says so (exit 6)', () => {
  const line = 'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.';
  // the running keepalived logs the unsafe script without " - disabling" (measured)
  const daemon = ["Unsafe permissions found for script '/s/d/chk.sh'."];
  assert.deepEqual(check(conf(false, false)), { lines: [line], exit: 6, scripts: 1, daemon });
  assert.deepEqual(check(conf(false, true)), { lines: [line], exit: 6, scripts: 1, daemon });
});
