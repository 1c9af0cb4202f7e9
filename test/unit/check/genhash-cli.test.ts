import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexDump } from '../../../src/cli/genhash-dump.js';
import { parseGenhashArgs } from '../../../src/cli/genhash-options.js';

test('hex dump lines as /usr/bin/genhash prints them', () => {
  assert.equal(hexDump(Buffer.from('hello')), '0000  68 65 6c 6c 6f          -                           hello           \n');
  assert.equal(
    hexDump(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length:')),
    '0000  48 54 54 50 2f 31 2e 31 - 20 32 30 30 20 4f 4b 0d   HTTP/1.1 200 OK.\n0016  0a 43 6f 6e 74 65 6e 74 - 2d 4c 65 6e 67 74 68 3a   .Content-Length:\n',
  );
  assert.equal(hexDump(Buffer.from('5d41402abc4b2a76b9719d911017c592', 'hex')), '0000  5d 41 40 2a bc 4b 2a 76 - b9 71 9d 91 10 17 c5 92   ]A@*.K*v.q......\n');
});

test('genhash options: required trio, IP only, value errors, unknown options, long forms', () => {
  assert.deepEqual(parseGenhashArgs([]), { ok: false });
  assert.deepEqual(parseGenhashArgs(['-s', '127.0.0.1', '-p', '80']), { ok: false });
  assert.deepEqual(parseGenhashArgs(['-s', 'localhost', '-p', '1', '-u', '/']), { ok: false, message: 'server should be an IP, not localhost' });
  assert.deepEqual(parseGenhashArgs(['-x', '-s', '1']), { ok: false, message: 'Unknown option -x\nserver should be an IP, not 1' });
  assert.deepEqual(parseGenhashArgs(['-s', '::1', '-p', '70000', '-u', '/']), { ok: false, message: "invalid port number '70000'" });
  assert.deepEqual(parseGenhashArgs(['-s', '::1', '-p', '1', '-u', '/', '-P', '2']), { ok: false, message: "invalid HTTP protocol version '2'" });
  assert.deepEqual(parseGenhashArgs(['-s', '::1', '-p', '1', '-u', '/', 'x']), { ok: false, message: 'Unexpected argument(s): x' });
  const r = parseGenhashArgs(['--server=192.0.2.1', '--port', '443', '-u/p', '-S', '-I', '-V', 'h', '-P', '1.0c', '-t', '2', '-v', '-m', '5']);
  assert.deepEqual(r, { ok: true, options: { server: '192.0.2.1', port: 443, url: '/p', ssl: true, sni: true, protocol: '1.0C', timeoutS: 2, verbose: true, virtualhost: 'h', fwmark: 5 } });
});
