/**
 * Self-tests of the network-namespace lab harness (test/support/lab): topology, isolation (no
 * route out, root namespace untouched), exec/spawn, captures, link and cable control.
 * Teardown and leak checks live in lab-harness-teardown.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { field, Lab, LabError, LabTimeoutError } from '../support/lab/index.js';

describe('lab harness: topology and commands', () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create({ hosts: 3 });
  });
  after(async () => {
    await lab?.destroy();
  });

  it('gives each host documentation addresses, its MAC, lo up and no default route', async () => {
    for (const h of lab.hosts) {
      const addrs = await h.addresses();
      assert.ok(addrs.includes(`${h.ipv4}/24`), `${h.namespace}: ${addrs.join(' ')}`);
      assert.ok(addrs.includes(`${h.ipv6}/64`), `${h.namespace}: ${addrs.join(' ')}`);
      assert.match(h.ipv4, /^192\.0\.2\.\d+$/);
      assert.match(h.ipv6, /^2001:db8::/);
      const link = (await h.ipJson(['link', 'show', 'dev', 'eth0']))[0];
      assert.equal(link?.['address'], h.mac);
      const lo = (await h.ipJson(['link', 'show', 'dev', 'lo']))[0];
      assert.ok((lo?.['flags'] as string[]).includes('UP'));
      assert.deepEqual(await h.ipJson(['route', 'show', 'default']), []);
      assert.deepEqual(await h.ipJson(['-6', 'route', 'show', 'default']), []);
    }
    assert.equal(new Set(lab.hosts.map((h) => h.namespace)).size, 3);
    assert.ok(lab.hosts.every((h) => h.namespace.startsWith(`${lab.prefix}-`)));
  });

  it('connects every host to every other over IPv4 and IPv6 through the bridge', async () => {
    const [a, b, c] = [lab.host(1), lab.host(2), lab.host(3)];
    await a.execOk('ping', ['-c1', '-W2', b.ipv4]);
    await c.execOk('ping', ['-c1', '-W2', a.ipv6]);
    await b.execOk('ping', ['-c1', '-W2', `fe80::6b:74ff:fe00:3%eth0`]);
  });

  it('has no route out: off-lab destinations are unreachable without sending anything', async () => {
    const r = await lab.host(1).exec('ping', ['-c1', '-W1', '198.51.100.1']);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /unreachable/i);
  });

  it('exec captures output and exit codes; execOk throws a LabCommandError', async () => {
    const r = await lab.host(2).exec('sh', ['-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(r.exitCode, 7);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    await assert.rejects(lab.host(2).execOk('false'), (e: unknown) => e instanceof LabError && e.code === 'LAB_COMMAND_FAILED');
  });

  it('exec kills a command that outlives its timeout', async () => {
    const started = performance.now();
    await assert.rejects(lab.host(1).exec('sleep', ['30'], { timeoutMs: 200 }), LabTimeoutError);
    assert.ok(performance.now() - started < 5_000);
    assert.deepEqual(await lab.host(1).namespacePids(), []);
  });

  it('runs commands inside the namespace (ip netns identify)', async () => {
    const r = await lab.host(3).execOk('ip', ['netns', 'identify']);
    assert.equal(r.stdout.trim(), lab.host(3).namespace);
  });

  it('spawns long-running processes, waits for output lines and stops them by PID', async () => {
    const p = lab.host(1).spawn('sh', ['-c', 'echo ready; echo "{\\"n\\":1}"; sleep 30']);
    await p.waitForLine(/^ready$/);
    const msg = await p.waitForJson<{ n: number }>((m) => m['n'] === 1);
    assert.equal(msg.n, 1);
    assert.deepEqual(lab.host(1).processIds(), [p.pid]);
    const status = await p.stop(500);
    assert.equal(status.signal, 'SIGTERM');
    assert.deepEqual(lab.host(1).processIds(), []);
    assert.deepEqual(await lab.host(1).namespacePids(), [], 'the shell\'s sleep child was stopped too');
  });

  it('fails a wait at once when the process exits without the expected line', async () => {
    const p = lab.host(1).spawn('sh', ['-c', 'echo bye']);
    await assert.rejects(p.waitForLine(/never/, 10_000), LabTimeoutError);
    assert.equal((await p.exited).exitCode, 0);
  });

  it('captures on a host with tcpdump and decodes with tshark', async () => {
    const [a, b] = [lab.host(1), lab.host(2)];
    const capture = await lab.capture(b, 'eth0', 'icmp');
    await a.execOk('ping', ['-c2', '-i0.2', '-W2', b.ipv4]);
    await capture.waitForPackets(4);
    const result = await capture.stop(0);
    const requests = result.packets.filter((p) => field(p, 'icmp.type') === '8');
    assert.equal(requests.length, 2);
    assert.equal(field(requests[0], 'ip.src'), a.ipv4);
    assert.equal(field(requests[0], 'eth.src'), a.mac);
    assert.match(await result.verbose(), /Internet Control Message Protocol/);
  });

  it('captures on the bridge, seeing traffic between hosts', async () => {
    const capture = await lab.capture('bridge', undefined, 'icmp6 and ip6[40] == 128');
    await lab.host(3).execOk('ping', ['-c1', '-W2', lab.host(2).ipv6]);
    await capture.waitForPackets(1);
    const result = await capture.stop(0);
    assert.equal(field(result.packets[0], 'ipv6.src'), lab.host(3).ipv6);
  });

  it('takes links down and up, and pulls cables (carrier loss)', async () => {
    const [a, b] = [lab.host(1), lab.host(2)];
    await b.cableDown();
    const link = (await b.ipJson(['link', 'show', 'dev', 'eth0']))[0];
    assert.ok((link?.['flags'] as string[]).includes('NO-CARRIER'), JSON.stringify(link));
    assert.notEqual((await a.exec('ping', ['-c1', '-W1', b.ipv4])).exitCode, 0);
    await b.cableUp();
    await a.execOk('ping', ['-c1', '-W2', b.ipv4]);
    await a.linkDown();
    assert.equal((await a.ipJson(['link', 'show', 'dev', 'eth0']))[0]?.['operstate'], 'DOWN');
    await a.linkUp();
    await a.execOk('ping', ['-c1', '-W2', b.ipv4]);
  });

  it('rejects bad arguments with typed errors', async () => {
    assert.throws(() => lab.host(4), (e: unknown) => e instanceof LabError && e.code === 'LAB_BAD_ARGUMENT');
    await assert.rejects(Lab.create({ hosts: 0 }), (e: unknown) => e instanceof LabError && e.code === 'LAB_BAD_ARGUMENT');
  });
});
