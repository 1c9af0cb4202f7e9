/**
 * The probes of src/check/probes on a real wire: host 2 runs dnsmasq, a node SMTP responder and a
 * node UDP echo; host 1 runs each probe in a fresh node process (inside its namespace) and prints
 * the result as JSON. Also PING_CHECK to a live and an absent host, and MISC_CHECK scripts with
 * exit codes 0, 1, 2..255 (misc_dynamic) and a hanging script killed at misc_timeout with its child.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const span = { file: 'lab.conf', line: 1 };
const timing = (connectTimeoutMs: number) => ({ delayLoopMs: 5_000, connectTimeoutMs, retry: 0, delayBeforeRetryMs: 1_000, warmupMs: 0, alpha: false, logAllFailures: false });

/** Runs one probe in a node process of `host`; prints {result, ms}. */
const RUNNER = `
const [base, specText] = process.argv.slice(1);
const spec = JSON.parse(specText);
const clock = { setTimer: (cb, ms) => setTimeout(cb, ms), clearTimer: (h) => clearTimeout(h), monotonicMs: () => performance.now() };
const random = () => Math.floor(Math.random() * 2 ** 32);
const rng = () => Math.random();
const m = await import(base + '/src/check/probes/' + spec.module + '.js');
const config = spec.config;
if (config.payloadHex !== undefined) config.payload = Buffer.from(config.payloadHex, 'hex');
if (config.pattern) config.replyPattern = { bytes: Buffer.from(config.pattern.bytes, 'hex'), mask: Buffer.from(config.pattern.mask, 'hex') };
let ports = { realServer: spec.rs, clock, random: rng };
let cleanup = () => {};
if (spec.module === 'misc-check') {
  const { LinuxProcessRunner } = await import(base + '/src/os/linux/process-runner.js');
  ports = { runner: new LinuxProcessRunner(), killGraceMs: 500, realServerWeight: 1 };
}
if (spec.module === 'ping-check') {
  const { IcmpEchoClient } = await import(base + '/src/os/linux/icmp-echo-client.js');
  const family = spec.rs.family === 'inet6' ? 6 : 4;
  const client = IcmpEchoClient.open({ family, clock, random });
  cleanup = () => client.close();
  ports = { realServer: spec.rs, echo: family === 4 ? { v4: client } : { v6: client } };
}
const t0 = performance.now();
const result = await m[spec.factory](config, ports)(new AbortController().signal);
cleanup();
console.log(JSON.stringify({ result, ms: performance.now() - t0 }));
process.exit(0);
`;

const SMTP_SERVER = `
const net = await import('node:net');
const [address, port, banner] = process.argv.slice(1);
net.createServer((s) => {
  s.on('error', () => {});
  s.write(banner + '\\r\\n');
  let buf = '';
  s.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\\n')) >= 0) {
      const line = buf.slice(0, i).trim(); buf = buf.slice(i + 1);
      console.log('GOT ' + line);
      if (line.startsWith('HELO ')) s.write('250-lab.example\\r\\n250 hello ' + line.slice(5) + '\\r\\n');
      else if (line === 'QUIT') s.end('221 bye\\r\\n');
      else s.write('500 what\\r\\n');
    }
  });
}).listen(Number(port), address, () => console.log('ready'));
`;

const UDP_ECHO = `
const dgram = await import('node:dgram');
const [address, port] = process.argv.slice(1);
const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(Number(port), address, () => console.log('ready'));
`;

type Result = { ok: boolean; failure?: string; reason?: string; weight?: number; detail?: string };

async function runProbe(host: LabHost, spec: Record<string, unknown>): Promise<{ result: Result; ms: number }> {
  const r = await host.exec(process.execPath, ['--input-type=module', '-e', RUNNER, DIST, JSON.stringify(spec)], { timeoutMs: 15_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.equal(r.exitCode, 0, `probe runner failed: ${r.stderr}`);
  return JSON.parse(line) as { result: Result; ms: number };
}

/** True once `pid` is gone or a zombie (dead, waiting for its new parent to reap it), within 2 s. */
async function processGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || / Z /.test(stat.slice(stat.lastIndexOf(')')))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function startNode(host: LabHost, code: string, args: string[]): LabProcess {
  return host.spawn(process.execPath, ['--input-type=module', '-e', code, ...args]);
}

describe('check probes on the wire (lab)', () => {
  let lab: Lab;
  let client: LabHost;
  let server: LabHost;
  let scripts: string;

  before(async () => {
    lab = await Lab.create({ hosts: 2 });
    [client, server] = [lab.host(1), lab.host(2)];
    scripts = await mkdtemp(join(tmpdir(), 'kats-misc-'));
    const dns = server.spawn('dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${server.ipv4}`,
      '--port=53', '--user=root', '--pid-file=', '--local=/test/', '--address=/www.lab.test/192.0.2.77', '--log-facility=-', '--log-queries']);
    const smtp = startNode(server, SMTP_SERVER, [server.ipv4, '25', '220 lab.example ESMTP']);
    const smtpBad = startNode(server, SMTP_SERVER, [server.ipv4, '2525', '554 go away']);
    const echo = startNode(server, UDP_ECHO, [server.ipv4, '7']);
    await Promise.all([smtp, smtpBad, echo].map((p) => p.waitForLine(/^ready$/, 10_000)));
    await dns.waitForLine(/started|compile time options/, 10_000);
  });
  after(async () => {
    await lab?.destroy();
    if (scripts) await rm(scripts, { recursive: true, force: true });
  });

  const rs = (address: string, port: number) => ({ address, family: address.includes(':') ? 'inet6' : 'inet', port });

  it('DNS_CHECK against dnsmasq: A answered; NXDOMAIN fails; a silent port times out', async () => {
    const dns = (name: string, queryType: string, port = 53, t = 1_000) => runProbe(client, {
      module: 'dns-check', factory: 'createDnsCheckProbe', rs: rs(server.ipv4, port),
      config: { type: 'DNS_CHECK', span, timing: timing(t), connection: {}, queryType, name },
    });
    const ok = await dns('www.lab.test', 'A');
    assert.equal(ok.result.ok, true, JSON.stringify(ok));
    const nx = await dns('nothing.lab.test', 'A');
    assert.equal(nx.result.failure, 'bad-response');
    assert.match(nx.result.reason ?? '', /rcode = 3/);
    const refused = await dns('www.lab.test', 'SOA', 5353, 2_000);
    assert.equal(refused.result.failure, 'connect-refused', 'ICMP port unreachable from the server host');
  });

  it('SMTP_CHECK: banner 220 + HELO 250 is up; a 554 banner is down; nobody listening is refused', async () => {
    const smtp = (port: number) => runProbe(client, {
      module: 'smtp-check', factory: 'createSmtpCheckProbe', rs: rs(server.ipv4, port),
      config: { type: 'SMTP_CHECK', span, timing: timing(2_000), connection: {}, heloName: 'smtpchecker.keepalived.org' },
    });
    assert.equal((await smtp(25)).result.ok, true);
    assert.equal((await smtp(2525)).result.failure, 'bad-response');
    assert.equal((await smtp(2626)).result.failure, 'connect-refused');
  });

  it('UDP_CHECK: echo matches the pattern; a closed port is down by ICMP; an absent host times out', async () => {
    const udp = (address: string, port: number, over: Record<string, unknown>, t = 1_000) => runProbe(client, {
      module: 'udp-check', factory: 'createUdpCheckProbe', rs: rs(address, port),
      config: { type: 'UDP_CHECK', span, timing: timing(t), connection: {}, requireReply: false, minReplyLength: 0, maxReplyLength: 255, ...over },
    });
    const good = await udp(server.ipv4, 7, { payloadHex: 'c0ffee01', requireReply: true, pattern: { bytes: 'c0ffee00', mask: 'fffff0f0' }, minReplyLength: 4 });
    assert.equal(good.result.ok, true, JSON.stringify(good));
    const mismatch = await udp(server.ipv4, 7, { payloadHex: 'c0ffee01', requireReply: true, pattern: { bytes: 'beef', mask: 'ffff' } });
    assert.equal(mismatch.result.failure, 'bad-response');
    assert.equal((await udp(server.ipv4, 9, { payloadHex: '00' }, 2_000)).result.failure, 'connect-refused');
    assert.equal((await udp('192.0.2.99', 7, { requireReply: true }, 500)).result.failure, 'no-reply');
  });

  it('PING_CHECK: a live host answers (IPv4, IPv6); an absent host does not', async () => {
    const ping = (address: string, t = 1_000) => runProbe(client, {
      module: 'ping-check', factory: 'createPingCheckProbe', rs: rs(address, 0),
      config: { type: 'PING_CHECK', span, timing: timing(t), connection: {} },
    });
    assert.equal((await ping(server.ipv4)).result.ok, true);
    assert.equal((await ping(server.ipv6, 2_000)).result.ok, true);
    assert.equal((await ping('192.0.2.99', 300)).result.failure, 'no-reply');
  });

  it('MISC_CHECK: exit 0 up, 1 down, 42 with misc_dynamic up with weight 40, a hung script killed at misc_timeout with its child', async () => {
    const write = async (name: string, body: string) => {
      const path = join(scripts, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return path;
    };
    const misc = (argv: string[], dynamic: boolean, timeoutMs = 5_000) => runProbe(client, {
      module: 'misc-check', factory: 'createMiscCheckProbe',
      config: { type: 'MISC_CHECK', span, timing: timing(1_000), script: { cmd: argv.join(' '), argv, span }, timeoutMs, dynamic },
    });
    const exitWith = await write('exit.sh', 'exit "$1"');
    assert.equal((await misc([exitWith, '0'], false)).result.ok, true);
    assert.equal((await misc([exitWith, '1'], true)).result.failure, 'script-failed');
    assert.equal((await misc([exitWith, '42'], false)).result.failure, 'script-failed');
    const dyn = await misc([exitWith, '42'], true);
    assert.deepEqual([dyn.result.ok, dyn.result.weight], [true, 40]);
    const pidFile = join(scripts, 'child.pid');
    const hang = await write('hang.sh', `sleep 60 & echo $! > ${pidFile}\nwait`);
    const hung = await misc([hang], false, 1_000);
    assert.equal(hung.result.failure, 'script-timeout');
    assert.ok(hung.ms >= 900 && hung.ms < 4_000, `killed after ${hung.ms} ms`);
    const childPid = Number((await readFile(pidFile, 'utf8')).trim());
    assert.ok(childPid > 0);
    assert.equal(await processGone(childPid), true, "the script's child died with it");
  });
});
