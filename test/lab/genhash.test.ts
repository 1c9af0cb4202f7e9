/**
 * Lab: genhash-ts against /usr/bin/genhash (keepalived 2.2.7), both run in the client namespace
 * against nginx in the server namespace: HTTP pages (small, empty, large, 404) and HTTPS with a
 * certificate made here with openssl. Normal output must be identical; verbose output must have
 * the same sections (and be identical apart from the response time for single-read pages).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, runOk, type LabHost } from '../support/lab/index.js';
import { GENHASH_TS, makeNginxDir, startNginx } from '../support/lab-daemon.js';
const SECTION = /^-+\[.*\]-+$/;

describe('lab: genhash-ts vs /usr/bin/genhash against nginx', () => {
  let lab: Lab;
  let dir: string;
  let client: LabHost;
  let serverIp: string;
  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lab tests need root (network namespaces)');
    dir = makeNginxDir('kts-genhash-', { ipv6: true, tls: true, defaultType: 'application/octet-stream' });
    writeFileSync(join(dir, 'www', 'index.html'), '<html><body>hello from the lab</body></html>\n');
    writeFileSync(join(dir, 'www', 'empty.html'), '');
    writeFileSync(join(dir, 'www', 'large.bin'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)));
    await runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=www.example', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    lab = await Lab.create({ hosts: 2 });
    client = lab.host(2);
    serverIp = lab.host(1).ipv4;
    startNginx(lab.host(1), dir);
    for (let i = 0; i < 50; i++) {
      if ((await client.exec('/usr/bin/genhash', ['-s', serverIp, '-p', '80', '-u', '/index.html', '-t', '1'])).stdout.length === 33) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('nginx did not come up in the lab');
  });
  after(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function both(args: string[]): Promise<[{ out: string; err: string; code: number }, { out: string; err: string; code: number }]> {
    const real = await client.exec('/usr/bin/genhash', args);
    const ours = await client.exec(process.execPath, [GENHASH_TS, ...args]);
    const norm = (s: string): string => s.replace(/= \d+ usecs/g, '= N usecs');
    return [
      { out: norm(real.stdout), err: real.stderr, code: real.exitCode ?? -1 },
      { out: norm(ours.stdout), err: ours.stderr.replaceAll('genhash-ts', 'genhash'), code: ours.exitCode ?? -1 },
    ];
  }

  /**
   * `both`, repeated until the two answers carry the same Date header: nginx stamps each answer
   * with the current second, so two runs that straddle a second boundary differ in their header
   * dumps for a reason that has nothing to do with either tool.
   */
  async function bothSameSecond(args: string[]): ReturnType<typeof both> {
    const date = (s: string): string | undefined => /^Date: .*$/m.exec(s)?.[0];
    let pair = await both(args);
    for (let i = 0; i < 5 && date(pair[0].out) !== date(pair[1].out); i++) pair = await both(args);
    return pair;
  }

  for (const path of ['/index.html', '/empty.html', '/large.bin', '/missing']) {
    it(`normal mode prints the same line for ${path} (HTTP and HTTPS)`, async () => {
      for (const extra of [['-p', '80'], ['-p', '443', '-S'], ['-p', '80', '-P', '1.1', '-V', 'www.example']]) {
        const [real, ours] = await both(['-s', serverIp, '-u', path, ...extra]);
        assert.match(real.out, /^[0-9a-f]{32}\n$/, `real genhash ${path} ${extra.join(' ')}: ${real.out}${real.err}`);
        assert.deepEqual(ours, real, `${path} ${extra.join(' ')}`);
      }
    });
  }

  it('the empty page hashes to the MD5 of nothing, as the real tool', async () => {
    const [real, ours] = await both(['-s', serverIp, '-p', '80', '-u', '/empty.html']);
    assert.equal(real.out, 'd41d8cd98f00b204e9800998ecf8427e\n');
    assert.deepEqual(ours, real);
  });

  it('verbose mode has the same sections; small pages are identical byte for byte', async () => {
    for (const path of ['/index.html', '/empty.html', '/large.bin']) {
      const [real, ours] = await bothSameSecond(['-v', '-s', serverIp, '-p', '80', '-u', path]);
      const sections = (s: string): string[] => s.split('\n').filter((l) => SECTION.test(l) || l.startsWith('Global response time'));
      assert.ok(sections(real.out).length >= 5, real.out.slice(0, 500));
      assert.deepEqual(sections(ours.out), sections(real.out), path);
      assert.equal(ours.out.split('\n').at(-2), real.out.split('\n').at(-2));
      if (path !== '/large.bin') assert.equal(ours.out, real.out, path);
    }
  });

  it('IPv6 server and a refused port behave as the real tool', async () => {
    const [real6, ours6] = await both(['-s', lab.host(1).ipv6, '-p', '80', '-u', '/index.html']);
    assert.match(real6.out, /^[0-9a-f]{32}\n$/);
    assert.deepEqual(ours6, real6);
    const [realRefused, oursRefused] = await both(['-s', serverIp, '-p', '81', '-u', '/']);
    assert.equal(realRefused.out, 'Connection failed\n');
    assert.deepEqual(oursRefused, realRefused);
  });
});
