import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, parseFacility, parseUmask, UsageError, DEFAULT_CONFIG_FILE } from '../../../src/cli/options.js';
import { signalNumber } from '../../../src/cli/usage.js';

test('defaults as keepalived', () => {
  const o = parseCommandLine([]);
  assert.equal(o.configFile, DEFAULT_CONFIG_FILE);
  assert.equal(o.logFacility, 3); // LOG_DAEMON
  assert.equal(o.dontFork, false);
  assert.deepEqual([o.subsystems.vrrp, o.subsystems.check, o.subsystems.bfd], [true, true, true]);
});

test('a typical service command line', () => {
  const o = parseCommandLine(['-nlD', '-S', 'local3', '--use-file=/x.conf', '-p', '/run/k.pid', '-i', 'lb1', '-e']);
  assert.equal(o.dontFork, true);
  assert.equal(o.logConsole, true);
  assert.equal(o.logDetail, true);
  assert.equal(o.logFacility, 16 + 3);
  assert.equal(o.configFile, '/x.conf');
  assert.equal(o.pidFile, '/run/k.pid');
  assert.equal(o.configId, 'lb1');
  assert.equal(o.allConfig, true);
});

test('-t implies no fork and takes an optional log file', () => {
  const o = parseCommandLine(['-t']);
  assert.equal(o.configTest, true);
  assert.equal(o.dontFork, true);
  assert.equal(o.configTestLog, undefined);
  const p = parseCommandLine(['--config-test=/tmp/log']);
  assert.equal(p.configTest, true);
  assert.equal(p.configTestLog, '/tmp/log');
});

test('-P and -C select subsystems', () => {
  const p = parseCommandLine(['-P']);
  assert.deepEqual([p.subsystems.vrrp, p.subsystems.check], [true, false]);
  const c = parseCommandLine(['-C']);
  assert.deepEqual([c.subsystems.vrrp, c.subsystems.check], [false, true]);
  const both = parseCommandLine(['-P', '-C']);
  assert.deepEqual([both.subsystems.vrrp, both.subsystems.check], [true, true]);
  assert.equal(parseCommandLine(['-B']).subsystems.bfd, false);
});

test('bad values warn like keepalived and carry on', () => {
  assert.deepEqual(parseCommandLine(['-S', '9']).warnings, ["Invalid log facility '9'"]);
  assert.deepEqual(parseCommandLine(['-u', 'abc']).warnings, ['Invalid --umask option abc']);
  assert.equal(parseCommandLine(['-u', '077']).umask, 0o77);
  assert.equal(parseCommandLine(['-g']).logFile, '/tmp/keepalived.log');
});

test('refused command lines carry keepalived messages', () => {
  const msg = (argv: string[]): string => {
    try {
      parseCommandLine(argv);
      return '';
    } catch (e) {
      assert.ok(e instanceof UsageError);
      return e.message;
    }
  };
  assert.equal(msg(['--bogus']), 'Unknown option --bogus');
  assert.equal(msg(['-q']), 'Unknown option -q');
  assert.equal(msg(['-f']), 'Missing parameter for option -f');
  assert.equal(msg(['--version=3']), 'Unknown option --version=3');
});

test('facility and umask parsing', () => {
  assert.equal(parseFacility('0'), 16);
  assert.equal(parseFacility('local7'), 23);
  assert.equal(parseFacility('user'), 1);
  assert.equal(parseFacility('daemon'), 3);
  assert.equal(parseFacility('local8'), undefined);
  assert.equal(parseUmask('0x1f'), 0x1f);
  assert.equal(parseUmask('18'), 18);
  assert.equal(parseUmask('0999'), undefined);
});

test('--signum numbers of keepalived 2.2.7', () => {
  assert.deepEqual(['STOP', 'RELOAD', 'DATA', 'STATS', 'STATS_CLEAR', 'JSON'].map(signalNumber), [15, 1, 10, 12, 63, 36]);
  assert.equal(signalNumber('TDUMP'), undefined);
  assert.equal(signalNumber('toString'), undefined);
});
