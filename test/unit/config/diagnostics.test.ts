import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigErrorClass as C, configTestExitCode, formatDiagnostic } from '../../../src/config/diagnostics.js';

test('exit code follows the highest class reported, as keepalived -t', () => {
  assert.equal(configTestExitCode([]), 0);
  assert.equal(configTestExitCode([{ cls: C.Fatal, message: 'x' }]), 4);
  assert.equal(configTestExitCode([{ cls: C.BadInterface, message: 'x' }]), 4);
  // an ordinary error after a fatal one ranks higher: 5, not 4 (keepalived 2.2.7 quirk)
  assert.equal(configTestExitCode([{ cls: C.Fatal, message: 'x' }, { cls: C.Warning, message: 'y' }]), 5);
  assert.equal(configTestExitCode([{ cls: C.UnknownKeyword, message: 'x' }]), 5);
  assert.equal(configTestExitCode([{ cls: C.Security, message: 'x' }, { cls: C.Fatal, message: 'y' }]), 6);
});

test('diagnostic lines are printed as keepalived prints them', () => {
  const span = { file: 'devel-tools/1.conf', line: 14 };
  assert.equal(formatDiagnostic({ cls: C.UnknownKeyword, message: "Unknown keyword 'x'", span }),
    "(devel-tools/1.conf: Line 14) Unknown keyword 'x'");
  assert.equal(formatDiagnostic({ cls: C.UnknownKeyword, message: "Unknown keyword 'x'", span, prefix: 'line' }),
    "(Line 14) Unknown keyword 'x'");
  assert.equal(formatDiagnostic({ cls: C.GeneralError, message: '(VI_1) No VIP specified' }), '(VI_1) No VIP specified');
});
