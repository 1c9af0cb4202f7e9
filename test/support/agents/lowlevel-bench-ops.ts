/**
 * Benchmark operations of the lowlevel agent (bench/lowlevel.bench.ts drives them):
 *   pong {family, ifname, source, vrid}  - answer every advert of `vrid` with priority 101 and the
 *                                          same interval field (the ping's sequence number)
 *   ping-pong {family, ifname, source, vrid, rounds, warmup} -> {rttUs: number[], lost}
 *   vip-announce {ifname, vip, mac, runs} -> {us: number[]}: RTM_NEWADDR acked + one GARP sent
 *   vip-anchor {ifname, vip, runs}        -> {ipAddUs, arpingUs}: `ip addr add` + `arping -U -c1`
 * Timing is taken inside the namespace with performance.now(); nothing crosses to the test process
 * until a run is over.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VrrpSocket } from '../../../src/os/linux/vrrp-socket.js';
import { L2Announcer } from '../../../src/os/linux/packet-socket.js';
import { NetlinkClient } from '../../../src/os/linux/netlink/client.js';
import { RtNetlink } from '../../../src/os/linux/netlink/rtnetlink.js';
import { loadNative } from '../../../src/os/linux/native.js';
import { family, num, str, type Handler, type Request } from './agent-protocol.js';
import { vrrpAdvert } from './vrrp-advert.js';

const run = promisify(execFile);
const responders: VrrpSocket[] = [];
const ROUND_TIMEOUT_MS = 1_000;
const SEQUENCE_SPACE = 4096;

function pong(r: Request): Record<string, unknown> {
  const fam = family(r);
  const source = str(r, 'source');
  const vrid = num(r, 'vrid', 42);
  const socket = VrrpSocket.open({ family: fam, interfaceName: str(r, 'ifname', 'eth0'), sourceAddress: source });
  const replies = new Map<number, Uint8Array>();
  socket.start(
    (p) => {
      if (p.payload[1] !== vrid || p.payload[2] !== 100) return;
      const interval = (((p.payload[4] ?? 0) & 0x0f) << 8) | (p.payload[5] ?? 0);
      let reply = replies.get(interval);
      if (!reply) replies.set(interval, (reply = vrrpAdvert(fam, source, vrid, 101, interval)));
      socket.send(reply);
    },
    () => undefined,
  );
  responders.push(socket);
  return {};
}

function pingPong(r: Request): Promise<Record<string, unknown>> {
  const fam = family(r);
  const source = str(r, 'source');
  const vrid = num(r, 'vrid', 42);
  const rounds = num(r, 'rounds', 3000);
  const warmup = num(r, 'warmup', 100);
  const socket = VrrpSocket.open({ family: fam, interfaceName: str(r, 'ifname', 'eth0'), sourceAddress: source });
  const packets = Array.from({ length: SEQUENCE_SPACE }, (_, i) => vrrpAdvert(fam, source, vrid, 100, i));
  const rttUs: number[] = [];
  let lost = 0;
  let round = 0;
  let sentAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise((resolve) => {
    const next = (): void => {
      if (timer) clearTimeout(timer);
      if (round >= rounds + warmup) {
        socket.close();
        resolve({ rttUs, lost });
        return;
      }
      const packet = packets[round % SEQUENCE_SPACE] as Uint8Array;
      timer = setTimeout(() => {
        lost++;
        round++;
        next();
      }, ROUND_TIMEOUT_MS);
      sentAt = performance.now();
      socket.send(packet);
    };
    socket.start(
      (p) => {
        const interval = (((p.payload[4] ?? 0) & 0x0f) << 8) | (p.payload[5] ?? 0);
        if (p.payload[1] !== vrid || p.payload[2] !== 101 || interval !== round % SEQUENCE_SPACE) return;
        const elapsedUs = (performance.now() - sentAt) * 1000;
        if (round >= warmup) rttUs.push(elapsedUs);
        round++;
        next();
      },
      () => undefined,
    );
    next();
  });
}

async function vipAnnounce(r: Request): Promise<Record<string, unknown>> {
  const ifname = str(r, 'ifname', 'eth0');
  const vip = str(r, 'vip');
  const mac = str(r, 'mac');
  const runs = num(r, 'runs', 200);
  const client = NetlinkClient.openRoute();
  const rt = new RtNetlink(client);
  const l2 = L2Announcer.open(ifname);
  const index = loadNative().ifNameToIndex(ifname);
  const spec = { index, address: vip, prefixLength: 32 };
  const us: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await rt.addAddress(spec);
      l2.sendGratuitousArp(vip, mac);
      us.push((performance.now() - started) * 1000);
      await rt.deleteAddress(spec);
    }
  } finally {
    l2.close();
    client.close();
  }
  return { us };
}

async function vipAnchor(r: Request): Promise<Record<string, unknown>> {
  const ifname = str(r, 'ifname', 'eth0');
  const vip = str(r, 'vip');
  const runs = num(r, 'runs', 5);
  const ipAddUs: number[] = [];
  const arpingUs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    await run('ip', ['addr', 'add', `${vip}/32`, 'dev', ifname]);
    ipAddUs.push((performance.now() - started) * 1000);
    started = performance.now();
    await run('arping', ['-U', '-c', '1', '-I', ifname, vip]).catch(() => undefined);
    arpingUs.push((performance.now() - started) * 1000);
    await run('ip', ['addr', 'del', `${vip}/32`, 'dev', ifname]);
  }
  return { ipAddUs, arpingUs };
}

export const benchHandlers: Record<string, Handler> = {
  pong,
  'ping-pong': pingPong,
  'vip-announce': vipAnnounce,
  'vip-anchor': vipAnchor,
};
