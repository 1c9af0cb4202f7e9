/** Typed values of the IPVS generic netlink family (see ipvs-constants.ts for the wire layout). */
import { AddressFamily } from './ip-address.js';

export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';
export const ipvsProtocolNumbers: ReadonlyMap<IpvsProtocol, number> = new Map<IpvsProtocol, number>([['tcp', 6], ['udp', 17], ['sctp', 132]]);

/** A service is identified by protocol + address + port, or by firewall mark. */
export type IpvsServiceKey =
  | { readonly family: AddressFamily; readonly protocol: IpvsProtocol; readonly address: string; readonly port: number }
  | { readonly family: AddressFamily; readonly fwmark: number };

export interface IpvsServiceOptions {
  /** Scheduler name: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos. */
  readonly scheduler: string;
  /** IP_VS_SVC_F_* bits (persistent, onepacket, sched1..3). */
  readonly flags: number;
  /** Persistence timeout in seconds (0 when not persistent). */
  readonly timeoutSec: number;
  /** Persistence granularity as a prefix length (IPv4 default 32, IPv6 default 128). */
  readonly netmaskPrefixLength: number;
  /** Persistence engine ("sip"). */
  readonly peName?: string;
}

export type IpvsService = IpvsServiceKey & IpvsServiceOptions;

export interface IpvsStats {
  readonly conns: bigint;
  readonly inPackets: bigint;
  readonly outPackets: bigint;
  readonly inBytes: bigint;
  readonly outBytes: bigint;
  readonly cps: bigint;
  readonly inPps: bigint;
  readonly outPps: bigint;
  readonly inBps: bigint;
  readonly outBps: bigint;
}

export type IpvsServiceInfo = IpvsService & { readonly stats?: IpvsStats };

export type IpvsForwarding = 'masq' | 'local' | 'tunnel' | 'route' | 'bypass';
export type IpvsTunnelType = 'ipip' | 'gue' | 'gre';

export interface IpvsDest {
  readonly address: string;
  readonly port: number;
  /** Family of the real server address (may differ from the service's for tunnelling). */
  readonly family?: AddressFamily;
  readonly forwarding: IpvsForwarding;
  readonly weight: number;
  /** Upper / lower connection thresholds (0 = none). */
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  readonly tunnelType?: IpvsTunnelType;
  readonly tunnelPort?: number;
  /** IP_VS_TUNNEL_ENCAP_FLAG_* bits. */
  readonly tunnelFlags?: number;
}

export type IpvsDestInfo = IpvsDest & {
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly persistConns: number;
  readonly stats?: IpvsStats;
};

export interface IpvsDaemon {
  readonly state: 'master' | 'backup';
  /** Multicast interface name (IPVS_DAEMON_ATTR_MCAST_IFN). */
  readonly interface: string;
  readonly syncId: number;
  readonly syncMaxLen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

export interface IpvsTimeouts {
  /** 0 leaves a timeout unchanged (kernel semantics of IPVS_CMD_SET_CONFIG). */
  readonly tcpSec: number;
  readonly tcpFinSec: number;
  readonly udpSec: number;
}
