import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSyslogLine, sockaddrUn, syslogTimestamp, SyslogSink } from '../../../src/os/linux/syslog.js';
import { loadNative } from '../../../src/os/linux/native.js';
import { LogLevel } from '../../../src/daemon/logger.js';

test('sockaddr_un: family 1, path, NUL', () => {
  const a = sockaddrUn('/dev/log');
  assert.equal(a.readUInt16LE(0), 1);
  assert.equal(a.subarray(2).toString('latin1'), '/dev/log\0');
  assert.throws(() => sockaddrUn(`/${'x'.repeat(200)}`), RangeError);
});

test('RFC 3164 line as syslog(3) writes it', () => {
  const at = new Date(2026, 10, 5, 14, 34, 52).getTime();
  assert.equal(syslogTimestamp(at), 'Nov  5 14:34:52');
  // LOG_DAEMON (3) * 8 + LOG_INFO (6) = 30
  assert.equal(formatSyslogLine(3, 6, 'keepalived-ts', 77, '(VI_1) Entering MASTER STATE', at), '<30>Nov  5 14:34:52 keepalived-ts[77]: (VI_1) Entering MASTER STATE');
});

test('a missing /dev/log leaves the sink silent, never throwing', () => {
  const sink = new SyslogSink({ facility: 3, ident: 'keepalived-ts', path: '/nonexistent/kts/log' });
  assert.equal(sink.available, false);
  assert.ok(sink.unavailableReason);
  sink.write(LogLevel.info, 'dropped', 0);
  sink.close();
});

test('datagrams reach a unix socket through the native addon', () => {
  const native = loadNative();
  const dir = mkdtempSync(join(tmpdir(), 'kts-syslog-'));
  const path = join(dir, 'log');
  const rx = native.socket(1, 2, 0);
  try {
    native.bind(rx, sockaddrUn(path));
    const sink = new SyslogSink({ facility: 16 + 2, ident: 'keepalived-ts', path });
    assert.equal(sink.available, true, sink.unavailableReason);
    sink.write(LogLevel.notice, 'Starting Keepalived v2.2.7', Date.now());
    sink.close();
    const buf = Buffer.alloc(512);
    const r = native.recvmsg(rx, buf, 0, 0x40);
    assert.ok(r, 'a datagram is waiting');
    // LOG_LOCAL2 (18) * 8 + LOG_NOTICE (5) = 149
    assert.match(buf.subarray(0, r.bytes).toString(), /^<149>\w{3} [ \d]\d \d\d:\d\d:\d\d keepalived-ts\[\d+\]: Starting Keepalived v2\.2\.7$/);
  } finally {
    native.close(rx);
    rmSync(dir, { recursive: true, force: true });
  }
});
