/**
 * A fake IPVS kernel at the generic-netlink level, shared by the IPVS tests: it answers
 * CTRL_CMD_GETFAMILY for "IPVS" (or ENOENT: a kernel without IPVS), keeps services,
 * destinations, sync daemons and timeouts, and refuses with the errno the kernel's ip_vs_ctl.c
 * uses: NEW_SERVICE of an existing service EEXIST; SET/DEL_SERVICE and any dest command on a
 * missing service ESRCH; NEW_DEST of an existing dest EEXIST; SET/DEL_DEST of a missing dest
 * ENOENT; a service or dest without its mandatory attributes EINVAL; NEW_DAEMON of a running
 * state EEXIST, DEL_DAEMON of a stopped one ESRCH. `failOn` injects an errno for the next
 * matching command (e.g. a kernel that runs out of memory half-way through a change).
 *
 * Use: `const k = new FakeIpvsKernel(); const t = k.transport();` then
 * `IpvsClient.open(new NetlinkClient(t))`. `k.received` holds every genl request (command and
 * payload bytes) for byte-vector comparisons; `k.view()` the state as sorted text lines.
 */
import { FakeNetlinkKernel, type Reply } from './fake-netlink-kernel.js';
import { AF_INET, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_CMD_NEWFAMILY, GENL_ID_CTRL } from '../../src/os/linux/netlink/constants.js';
import * as C from '../../src/os/linux/netlink/ipvs-constants.js';
import { decodeGenl, encodeGenl } from '../../src/os/linux/netlink/genl-codec.js';
import { attrString, attrU16, type AttributeReader } from '../../src/os/linux/netlink/attributes.js';
import { decodeServiceAttrs, encodeDestCommand, encodeServiceCommand } from '../../src/os/linux/netlink/ipvs-codec.js';
import { decodeDaemonMessage, encodeNewDaemon, encodeSetConfig } from '../../src/os/linux/netlink/ipvs-misc-codec.js';
import { bytesToIpOfFamily } from '../../src/os/linux/netlink/ip-address.js';
import type { IpvsDaemon, IpvsDest, IpvsService, IpvsTimeouts } from '../../src/os/linux/netlink/ipvs-types.js';
import type { NetlinkMessage } from '../../src/os/linux/netlink/message.js';

export const FAKE_IPVS_FAMILY_ID = 0x24;
export const ENOENT = 2;
export const ESRCH = 3;
export const ENOMEM = 12;
export const EEXIST = 17;
export const EINVAL = 22;

type Answer = { errno: number; extack?: string } | Reply[];

interface Entry {
  svc: IpvsService;
  readonly dests: Map<string, IpvsDest>;
}

/** IPVS_CMD_* names for logs and `failOn`. */
export const IPVS_COMMAND_NAMES: Readonly<Record<number, string>> = {
  [C.IPVS_CMD_NEW_SERVICE]: 'NEW_SERVICE', [C.IPVS_CMD_SET_SERVICE]: 'SET_SERVICE', [C.IPVS_CMD_DEL_SERVICE]: 'DEL_SERVICE',
  [C.IPVS_CMD_GET_SERVICE]: 'GET_SERVICE', [C.IPVS_CMD_NEW_DEST]: 'NEW_DEST', [C.IPVS_CMD_SET_DEST]: 'SET_DEST',
  [C.IPVS_CMD_DEL_DEST]: 'DEL_DEST', [C.IPVS_CMD_GET_DEST]: 'GET_DEST', [C.IPVS_CMD_NEW_DAEMON]: 'NEW_DAEMON',
  [C.IPVS_CMD_DEL_DAEMON]: 'DEL_DAEMON', [C.IPVS_CMD_GET_DAEMON]: 'GET_DAEMON', [C.IPVS_CMD_SET_CONFIG]: 'SET_CONFIG',
  [C.IPVS_CMD_GET_CONFIG]: 'GET_CONFIG', [C.IPVS_CMD_FLUSH]: 'FLUSH',
};

export class FakeIpvsKernel {
  readonly services = new Map<string, Entry>();
  readonly daemons = new Map<'master' | 'backup', IpvsDaemon>();
  timeouts: IpvsTimeouts = { tcpSec: 900, tcpFinSec: 120, udpSec: 300 };
  /** Every IPVS request: command name and the genl payload as sent. */
  readonly received: { readonly cmd: string; readonly payload: Buffer }[] = [];
  private failures: { readonly match: RegExp; readonly errno: number }[] = [];

  constructor(readonly present = true) {}

  /** A NetlinkTransport whose kernel is this fake. */
  transport(): FakeNetlinkKernel {
    return new FakeNetlinkKernel(this.handle);
  }

  /** The next command whose `NAME detail` text matches fails with `errno` (once). */
  failOn(match: RegExp, errno: number): void {
    this.failures.push({ match, errno });
  }

  /** `key scheduler/flags/timeout: dest=weight/fwd ...`, sorted; daemons and timeouts last. */
  view(): string[] {
    const svcs = [...this.services.entries()].map(([k, e]) => {
      const s = e.svc;
      const dests = [...e.dests.values()].map((d) => `${d.address}:${d.port}=${d.weight}/${d.forwarding}`).sort().join(' ');
      return `${k} ${s.scheduler}/${s.flags}/${s.timeoutSec}: ${dests}`;
    }).sort();
    return svcs;
  }

  handle = (m: NetlinkMessage): Answer => {
    if (m.type === GENL_ID_CTRL) return this.family(m);
    if (m.type !== FAKE_IPVS_FAMILY_ID) return { errno: EINVAL };
    const g = decodeGenl(m.payload);
    const name = IPVS_COMMAND_NAMES[g.cmd] ?? `CMD_${g.cmd}`;
    this.received.push({ cmd: name, payload: Buffer.from(m.payload) });
    const failed = this.injected(`${name} ${this.detail(g.attrs)}`);
    if (failed !== undefined) return { errno: failed };
    try {
      return this.command(g.cmd, g.attrs, m.payload);
    } catch (e) {
      return { errno: (e as { errno?: number }).errno ?? EINVAL };
    }
  };

  private command(cmd: number, attrs: AttributeReader, payload: Buffer): Answer {
    const svcAttrs = attrs.nested(C.IPVS_CMD_ATTR_SERVICE);
    switch (cmd) {
      case C.IPVS_CMD_NEW_SERVICE: return this.newService(svcAttrs);
      case C.IPVS_CMD_SET_SERVICE: return this.withService(svcAttrs, (e) => { e.svc = fullService(svcAttrs as AttributeReader); });
      case C.IPVS_CMD_DEL_SERVICE: return this.withService(svcAttrs, () => { this.services.delete(serviceKey(svcAttrs as AttributeReader)); });
      case C.IPVS_CMD_GET_SERVICE: return [...this.services.values()].map((e) => reply(encodeServiceCommand(C.IPVS_CMD_NEW_SERVICE, e.svc)));
      case C.IPVS_CMD_NEW_DEST: return this.dest(svcAttrs, attrs, 'new');
      case C.IPVS_CMD_SET_DEST: return this.dest(svcAttrs, attrs, 'set');
      case C.IPVS_CMD_DEL_DEST: return this.dest(svcAttrs, attrs, 'del');
      case C.IPVS_CMD_GET_DEST: {
        // the kernel's dump of a missing service is empty
        const e = svcAttrs && this.services.get(serviceKey(svcAttrs));
        return e ? [...e.dests.values()].map((d) => reply(encodeDestCommand(C.IPVS_CMD_NEW_DEST, e.svc, d))) : [];
      }
      case C.IPVS_CMD_FLUSH: this.services.clear(); return [];
      case C.IPVS_CMD_SET_CONFIG: {
        const t = (a: number, old: number): number => attrs.u32(a) || old;
        this.timeouts = { tcpSec: t(C.IPVS_CMD_ATTR_TIMEOUT_TCP, this.timeouts.tcpSec), tcpFinSec: t(C.IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, this.timeouts.tcpFinSec), udpSec: t(C.IPVS_CMD_ATTR_TIMEOUT_UDP, this.timeouts.udpSec) };
        return [];
      }
      case C.IPVS_CMD_GET_CONFIG: return [reply(encodeSetConfig(this.timeouts))];
      case C.IPVS_CMD_NEW_DAEMON: {
        const d = decodeDaemonMessage(payload);
        if (this.daemons.has(d.state)) return { errno: EEXIST };
        this.daemons.set(d.state, d);
        return [];
      }
      case C.IPVS_CMD_DEL_DAEMON: {
        const state = attrs.nested(C.IPVS_CMD_ATTR_DAEMON)?.u32(C.IPVS_DAEMON_ATTR_STATE) === 1 ? 'master' : 'backup';
        return this.daemons.delete(state) ? [] : { errno: ESRCH };
      }
      case C.IPVS_CMD_GET_DAEMON: return [...this.daemons.values()].map((d) => reply(encodeNewDaemon(d)));
      default: return { errno: EINVAL };
    }
  }

  private injected(text: string): number | undefined {
    const i = this.failures.findIndex((f) => f.match.test(text));
    if (i < 0) return undefined;
    const [f] = this.failures.splice(i, 1);
    return f?.errno;
  }

  /** `tcp:192.0.2.100:80 dest 198.51.100.10:80` style detail for failOn. */
  private detail(attrs: AttributeReader): string {
    const svc = attrs.nested(C.IPVS_CMD_ATTR_SERVICE);
    const dest = attrs.nested(C.IPVS_CMD_ATTR_DEST);
    const parts: string[] = [];
    if (svc) parts.push(serviceKey(svc));
    if (dest) parts.push(`dest ${destKey(dest)}`);
    return parts.join(' ');
  }

  private family(m: NetlinkMessage): Answer {
    const name = decodeGenl(m.payload).attrs.string(CTRL_ATTR_FAMILY_NAME);
    if (name !== 'IPVS' || !this.present) return { errno: ENOENT };
    return [{ type: GENL_ID_CTRL, payload: encodeGenl(CTRL_CMD_NEWFAMILY, 2, [attrU16(CTRL_ATTR_FAMILY_ID, FAKE_IPVS_FAMILY_ID), attrString(CTRL_ATTR_FAMILY_NAME, 'IPVS')]) }];
  }

  private newService(r: AttributeReader | undefined): Answer {
    if (!r) return { errno: EINVAL };
    if (this.services.has(serviceKey(r))) return { errno: EEXIST };
    this.services.set(serviceKey(r), { svc: fullService(r), dests: new Map() });
    return [];
  }

  private withService(r: AttributeReader | undefined, f: (e: Entry) => void): Answer {
    const e = r && this.services.get(serviceKey(r));
    if (!e) return { errno: ESRCH };
    f(e);
    return [];
  }

  private dest(svc: AttributeReader | undefined, top: AttributeReader, op: 'new' | 'set' | 'del'): Answer {
    const d = top.nested(C.IPVS_CMD_ATTR_DEST);
    const e = svc && this.services.get(serviceKey(svc));
    if (!e) return { errno: ESRCH };
    if (!d || !d.has(C.IPVS_DEST_ATTR_ADDR) || !d.has(C.IPVS_DEST_ATTR_PORT)) return { errno: EINVAL };
    const k = destKey(d);
    if (op === 'del') return e.dests.delete(k) ? [] : { errno: ENOENT };
    if (op === 'new' && e.dests.has(k)) return { errno: EEXIST };
    if (op === 'set' && !e.dests.has(k)) return { errno: ENOENT };
    for (const a of [C.IPVS_DEST_ATTR_FWD_METHOD, C.IPVS_DEST_ATTR_WEIGHT, C.IPVS_DEST_ATTR_U_THRESH, C.IPVS_DEST_ATTR_L_THRESH]) {
      if (!d.has(a)) return { errno: EINVAL };
    }
    const fam = d.u16(C.IPVS_DEST_ATTR_ADDR_FAMILY) ?? AF_INET;
    const fwd = (['masq', 'local', 'tunnel', 'route', 'bypass'] as const)[d.u32(C.IPVS_DEST_ATTR_FWD_METHOD) ?? 0] ?? 'masq';
    const [address = '', port = '0'] = k.split(/:(?=\d+$)/);
    e.dests.set(k, {
      address, port: Number(port), family: fam === AF_INET ? AF_INET : 10, forwarding: fwd, weight: d.u32(C.IPVS_DEST_ATTR_WEIGHT) ?? 0,
      upperThreshold: d.u32(C.IPVS_DEST_ATTR_U_THRESH) ?? 0, lowerThreshold: d.u32(C.IPVS_DEST_ATTR_L_THRESH) ?? 0,
    });
    return [];
  }
}

function reply(payload: Buffer): Reply {
  return { type: FAKE_IPVS_FAMILY_ID, payload };
}

/** `tcp:192.0.2.100:80` / `fwmark:2:5` (the text of src/lb/planes/ipvs-port.ts serviceKeyText). */
export function serviceKey(r: AttributeReader): string {
  const fam = r.u16(C.IPVS_SVC_ATTR_AF) ?? 0;
  const fw = r.u32(C.IPVS_SVC_ATTR_FWMARK);
  if (fw) return `fwmark:${fam}:${fw}`;
  const proto = ({ 6: 'tcp', 17: 'udp', 132: 'sctp' } as Record<number, string>)[r.u16(C.IPVS_SVC_ATTR_PROTOCOL) ?? 0] ?? '?';
  return `${proto}:${bytesToIpOfFamily(r.bytes(C.IPVS_SVC_ATTR_ADDR) ?? Buffer.alloc(16), fam)}:${r.be16(C.IPVS_SVC_ATTR_PORT) ?? 0}`;
}

function destKey(d: AttributeReader): string {
  const fam = d.u16(C.IPVS_DEST_ATTR_ADDR_FAMILY) ?? AF_INET;
  return `${bytesToIpOfFamily(d.bytes(C.IPVS_DEST_ATTR_ADDR) ?? Buffer.alloc(16), fam)}:${d.be16(C.IPVS_DEST_ATTR_PORT) ?? 0}`;
}

/** The kernel's full-entry check: scheduler, flags, timeout and netmask are required. */
function fullService(r: AttributeReader): IpvsService {
  for (const a of [C.IPVS_SVC_ATTR_SCHED_NAME, C.IPVS_SVC_ATTR_FLAGS, C.IPVS_SVC_ATTR_TIMEOUT, C.IPVS_SVC_ATTR_NETMASK]) {
    if (!r.has(a)) throw Object.assign(new Error('incomplete service'), { errno: EINVAL });
  }
  return decodeServiceAttrs(r);
}
