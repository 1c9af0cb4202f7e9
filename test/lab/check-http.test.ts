/**
 * Lab: TCP_CHECK, HTTP_GET and SSL_GET under the real scheduler against a hostile server in a
 * lab namespace. h1 runs this file as `--hostile` (mode switched by a stdin line), h2 runs it as
 * `--agent` (a CheckScheduler printing JSON transitions). Each failure mode must take the server
 * DOWN after retry+1 failures and recovery must bring it UP again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckScheduler } from '../../src/check/scheduler.js';
import { httpProbe } from '../../src/check/probes/http.js';
import { tcpProbe } from '../../src/check/probes/tcp.js';
import { compileUrl } from '../../src/check/http/verdict.js';
import type { CheckClock } from '../../src/check/clock.js';
import { Lab, runOk, type LabProcess } from '../support/lab/index.js';

const SELF = fileURLToPath(import.meta.url);
const GOOD_BODY = 'all good\n';
const GOOD_MD5 = createHash('md5').update(GOOD_BODY).digest('hex');

/** The hostile server: HTTP on 8080, TLS on 8443 (same behaviour), mode from stdin. */
function hostileMain(certDir: string): void {
  let mode = 'good';
  let seq = 0;
  process.stdin.setEncoding('utf8').on('data', (d: string) => { mode = d.trim().split('\n').pop() ?? mode; console.log(JSON.stringify({ mode, seq: ++seq })); });
  const handle = (s: net.Socket): void => {
    s.on('error', () => undefined);
    if (mode === 'reset') { s.resetAndDestroy(); return; }
    s.once('data', () => {
      if (mode === 'good') s.end(`HTTP/1.0 200 OK\r\nContent-Length: ${GOOD_BODY.length}\r\n\r\n${GOOD_BODY}`);
      else if (mode === 'digest') s.end('HTTP/1.0 200 OK\r\n\r\nsomething else\n');
      else if (mode === 'status') s.end(`HTTP/1.0 503 Busy\r\n\r\n${GOOD_BODY}`);
      else if (mode === 'garbage') s.end('\x00\x01 not http at all');
      else if (mode === 'endless') { s.write('HTTP/1.0 200 OK\r\n\r\n'); const chunk = Buffer.alloc(65536, 120); const pump = (): void => { while (!s.destroyed && s.write(chunk)); }; s.on('drain', pump); pump(); }
      // 'hang': read the request, never answer.
    });
  };
  const servers = [net.createServer(handle), tls.createServer({ cert: readFileSync(join(certDir, 'cert.pem')), key: readFileSync(join(certDir, 'key.pem')) }, handle)];
  let listening = 0;
  const ready = (): void => { if (++listening === 2) console.log(JSON.stringify({ ready: true })); };
  servers[0]?.listen(8080, ready);
  servers[1]?.listen(8443, ready);
}

function realClock(): CheckClock {
  const t = new Map<number, NodeJS.Timeout>();
  let n = 1;
  return {
    monotonicMs: () => performance.now(),
    setTimer: (cb, ms) => { const id = n++; t.set(id, setTimeout(() => { t.delete(id); cb(); }, ms)); return { id }; },
    clearTimer: (h) => { clearTimeout(t.get(h.id)); t.delete(h.id); },
  };
}

/** The checking side: one checker of the kind asked, fast timers, JSON lines out. */
function agentMain(kind: string, address: string, caFile: string): void {
  const clock = realClock();
  const timing = { delayLoopMs: 300, connectTimeoutMs: 500, retry: 1, delayBeforeRetryMs: 200, warmupMs: 0, alpha: true };
  const url = compileUrl({ path: '/', digests: [GOOD_MD5], statusCodes: [], regexNoMatch: false });
  const base = { address, connectTimeoutMs: timing.connectTimeoutMs };
  const probe =
    kind === 'tcp' ? tcpProbe({ ...base, port: 8080 }, clock)
    : kind === 'http' ? httpProbe({ ...base, port: 8080, protocol: '1.0', urls: [url], bodyCapBytes: 1 << 20 }, clock)
    : httpProbe({ ...base, port: 8443, protocol: '1.1', urls: [url], bodyCapBytes: 1 << 20, tls: kind === 'ssl-ca' ? { ca: readFileSync(caFile) } : {} }, clock);
  let transitions = 0;
  const sched = new CheckScheduler({
    clock,
    rng: Math.random,
    spread: { jitterFraction: 0, maxInitialSpreadMs: 0 },
    onServerTransition: (t) => console.log(JSON.stringify({ up: t.up, reason: t.reason, n: ++transitions })),
    onCheckerEvent: (e) => { if (!e.result.ok) console.log(JSON.stringify({ failure: e.result.failure, outcome: e.outcome })); },
  });
  sched.add({ id: kind, serverId: 'rs', timing, probe });
  sched.start();
  console.log(JSON.stringify({ ready: true }));
}

const argv = process.argv;
if (argv[2] === '--hostile') hostileMain(argv[3] ?? '');
else if (argv[2] === '--agent') agentMain(argv[3] ?? '', argv[4] ?? '', argv[5] ?? '');
else registerTests();

function registerTests(): void {
  describe('lab: HTTP_GET / SSL_GET / TCP_CHECK against a hostile server', () => {
    let lab: Lab;
    let server: LabProcess;
    let certDir: string;
    before(async () => {
      if (process.getuid?.() !== 0) throw new Error('lab tests need root (network namespaces)');
      certDir = mkdtempSync(join(tmpdir(), 'kts-check-http-'));
      await runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=rs.example', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')]);
      await runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other-ca', '-keyout', join(certDir, 'other-key.pem'), '-out', join(certDir, 'other-ca.pem')]);
      lab = await Lab.create({ hosts: 2 });
      server = lab.host(1).spawnNode(SELF, ['--hostile', certDir]);
      await server.waitForJson((m) => m['ready'] === true, 10_000);
    });
    after(async () => {
      await lab?.destroy();
      if (certDir) rmSync(certDir, { recursive: true, force: true });
    });

    let modeSeq = 0;
    async function setMode(mode: string): Promise<void> {
      const want = ++modeSeq;
      server.writeLine(mode);
      await server.waitForJson((m) => m['seq'] === want && m['mode'] === mode);
    }

    /** Starts an agent, returns a function waiting for its next transition. */
    function agent(kind: string, ca = join(certDir, 'cert.pem')): { proc: LabProcess; next: (up: boolean) => Promise<Record<string, unknown>> } {
      const proc = lab.host(2).spawnNode(SELF, ['--agent', kind, lab.host(1).ipv4, ca]);
      let seen = 0;
      const next = async (up: boolean): Promise<Record<string, unknown>> => {
        const want = ++seen;
        const m = await proc.waitForJson((x) => x['n'] === want, 8_000);
        assert.equal(m['up'], up, `transition ${want}: ${JSON.stringify(m)}`);
        return m;
      };
      return { proc, next };
    }

    it('HTTP_GET: UP when good; DOWN on hang, reset, garbage, wrong digest, wrong status, endless body; UP on recovery', async () => {
      await setMode('good');
      const a = agent('http');
      await a.next(true);
      for (const [mode, reason] of [['hang', /read-timeout/], ['reset', /reset|connect|bad-response/], ['garbage', /bad-response/], ['digest', /bad-digest/], ['status', /bad-status/], ['endless', /body-too-large/]] as const) {
        await setMode(mode);
        const down = await a.next(false);
        assert.match(String(down['reason']), reason, mode);
        await setMode('good');
        await a.next(true);
      }
      await a.proc.stop();
    });

    it('TCP_CHECK: DOWN when the server stops listening, UP when it is back', async () => {
      const a = agent('tcp');
      await a.next(true);
      await lab.host(1).execOk('iptables', ['-A', 'INPUT', '-p', 'tcp', '--dport', '8080', '-j', 'REJECT', '--reject-with', 'tcp-reset']).catch(async () => {
        await lab.host(1).execOk('nft', ['add table ip t; add chain ip t c { type filter hook input priority 0; }; add rule ip t c tcp dport 8080 reject with tcp reset']);
      });
      const down = await a.next(false);
      assert.match(String(down['reason']), /connect-refused/);
      await lab.host(1).exec('iptables', ['-F', 'INPUT']);
      await lab.host(1).exec('nft', ['flush ruleset']);
      await a.next(true);
      await a.proc.stop();
    });

    it('SSL_GET: UP without CA (no verification, as keepalived), UP with the right CA, DOWN with a wrong CA', async () => {
      await setMode('good');
      const plain = agent('ssl');
      await plain.next(true);
      await plain.proc.stop();
      const right = agent('ssl-ca');
      await right.next(true);
      await right.proc.stop();
      const wrong = agent('ssl-ca', join(certDir, 'other-ca.pem'));
      // alpha: starts DOWN; every attempt fails verification, and no UP transition ever comes.
      await wrong.proc.waitForJson((m) => m['failure'] === 'tls-error', 5_000);
      await wrong.proc.waitForJson((m) => m['failure'] === 'tls-error' && wrong.proc.jsonMessages().filter((x) => x['failure'] === 'tls-error').length >= 3, 5_000);
      assert.equal(wrong.proc.jsonMessages().some((x) => x['up'] === true), false);
      await wrong.proc.stop();
    });
  });
}
