/**
 * The typed model of the LVS part of keepalived.conf: virtual_server, virtual_server_group,
 * real_server, the health checkers and the top-level SSL block.
 *
 * Everything here is resolved: defaults are applied, and the timing settings that keepalived
 * inherits virtual_server -> real_server -> checker (connect_timeout, retry, delay_before_retry,
 * warmup, delay_loop, alpha) are already copied down into each checker, so the checker scheduler
 * reads one `CheckerTiming` and never walks up the tree.
 */
import type { Span } from '../diagnostics.js';

export type AddressFamily = 'inet' | 'inet6';
export type LvsProtocol = 'tcp' | 'udp' | 'sctp';
/** keepalived's forwarding methods (lb_kind / lvs_method). */
export type ForwardingMethod = 'NAT' | 'DR' | 'TUN';

export interface TunnelOptions {
  readonly type: 'ipip' | 'gue' | 'gre';
  /** Only for gue tunnels. */
  readonly guePort?: number;
  readonly checksum?: 'nocsum' | 'csum' | 'remcsum';
}

export interface Forwarding {
  readonly method: ForwardingMethod;
  readonly tunnel?: TunnelOptions;
}

/** A script as written (argv split), resolved by the shared script module when it is available. */
export interface CheckScript {
  /** The command line as written in the config. */
  readonly cmd: string;
  readonly argv: readonly string[];
  /** `user` given on the keyword line or in the checker, if any. */
  readonly user?: string;
  readonly group?: string;
  /** The uid/gid of a `user [group]` after the command (notify_up/down, quorum_up/down) or a MISC_CHECK's `user`. */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  readonly span: Span;
}

/** An IP endpoint; `port` 0 means "no port" (fwmark services, sorry servers without port). */
export interface Endpoint {
  readonly address: string;
  readonly family: AddressFamily;
  readonly port: number;
}

export type VirtualServerKey =
  | { readonly kind: 'address'; readonly endpoint: Endpoint }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: AddressFamily }
  | { readonly kind: 'group'; readonly group: string };

/** The timing of one checker, after inheritance VS -> RS -> checker and defaults. */
export interface CheckerTiming {
  readonly delayLoopMs: number;
  readonly connectTimeoutMs: number;
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  /** Random initial delay bound; 0 disables. */
  readonly warmupMs: number;
  /** Start the real server as down until the first success. */
  readonly alpha: boolean;
  readonly logAllFailures: boolean;
}

/** Connection options common to the network checkers. */
export interface CheckerConnection {
  readonly connectIp?: string;
  readonly connectPort?: number;
  readonly bindTo?: string;
  readonly bindIf?: string;
  readonly bindPort?: number;
  readonly fwmark?: number;
}

export interface HttpUrl {
  readonly path: string;
  /** Lowercase hex MD5 digests; the body must match one of them. */
  readonly digests: readonly string[];
  /** Accepted status ranges, inclusive. Default [[200, 299]]. */
  readonly statusCodes: readonly (readonly [number, number])[];
  readonly virtualhost?: string;
  readonly regex?: string;
  readonly regexNoMatch: boolean;
  readonly regexOptions: readonly string[];
  readonly regexMinOffset?: number;
  readonly regexMaxOffset?: number;
  readonly regexStack?: { readonly start: number; readonly max: number };
  readonly span: Span;
}

export type HttpProtocol = '1.0' | '1.0C' | '1.1';

interface CheckerCommon {
  readonly span: Span;
  readonly timing: CheckerTiming;
}

export interface TcpChecker extends CheckerCommon {
  readonly type: 'TCP_CHECK';
  readonly connection: CheckerConnection;
}
export interface PingChecker extends CheckerCommon {
  readonly type: 'PING_CHECK';
  readonly connection: CheckerConnection;
}
export interface HttpChecker extends CheckerCommon {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  readonly connection: CheckerConnection;
  readonly urls: readonly HttpUrl[];
  readonly httpProtocol: HttpProtocol;
  readonly virtualhost?: string;
  readonly fastRecovery: boolean;
  readonly enableSni: boolean;
}
export interface SmtpChecker extends CheckerCommon {
  readonly type: 'SMTP_CHECK';
  readonly connection: CheckerConnection;
  readonly heloName: string;
}
export interface DnsChecker extends CheckerCommon {
  readonly type: 'DNS_CHECK';
  readonly connection: CheckerConnection;
  readonly queryType: DnsQueryType;
  /** The name queried; '.' (root) by default. */
  readonly name: string;
}
export type DnsQueryType = 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA' | 'RRSIG' | 'DNSKEY';

/** A hex byte pattern; `mask` bytes are 0x00 where a nibble is the X wildcard. */
export interface HexPattern {
  readonly bytes: Uint8Array;
  readonly mask: Uint8Array;
}
export interface UdpChecker extends CheckerCommon {
  readonly type: 'UDP_CHECK';
  readonly connection: CheckerConnection;
  readonly payload?: Uint8Array;
  readonly requireReply: boolean;
  readonly replyPattern?: HexPattern;
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}
export interface MiscChecker extends CheckerCommon {
  readonly type: 'MISC_CHECK';
  readonly script: CheckScript;
  /** Default: delay_loop. */
  readonly timeoutMs: number;
  readonly dynamic: boolean;
}
export interface FileChecker {
  readonly type: 'FILE_CHECK';
  readonly span: Span;
  readonly trackFile: string;
  readonly dynamic: boolean;
  readonly weight: number;
  readonly reverse: boolean;
}
export interface BfdChecker {
  readonly type: 'BFD_CHECK';
  readonly span: Span;
  readonly bfdName: string;
}

export type Checker =
  | TcpChecker
  | PingChecker
  | HttpChecker
  | SmtpChecker
  | DnsChecker
  | UdpChecker
  | MiscChecker
  | FileChecker
  | BfdChecker;

export type CheckerType = Checker['type'];

export interface RealServer {
  /** As keepalived prints it: `[192.0.2.2]:tcp:80`. */
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly weight: number;
  readonly forwarding?: Forwarding;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: CheckScript;
  readonly notifyDown?: CheckScript;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  readonly smtpAlert?: boolean;
  readonly virtualhost?: string;
  readonly checkers: readonly Checker[];
  readonly span: Span;
}

export interface SorryServer {
  readonly endpoint: Endpoint;
  readonly inhibit: boolean;
  readonly forwarding?: Forwarding;
}

export interface VirtualServer {
  /** As keepalived prints it: `[192.0.2.1]:tcp:80`, `FWM 3`, `[group]:0`. */
  readonly name: string;
  readonly key: VirtualServerKey;
  /** Undefined only for fwmark services (protocol ignored). */
  readonly protocol?: LvsProtocol;
  readonly family?: AddressFamily;
  readonly scheduler: string;
  readonly schedulerFlags: readonly string[];
  readonly forwarding: Forwarding;
  readonly persistenceTimeoutS?: number;
  readonly persistenceGranularity?: string;
  readonly persistenceEngine?: string;
  readonly delayLoopMs: number;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: CheckScript;
  readonly quorumDown?: CheckScript;
  readonly sorryServer?: SorryServer;
  readonly inhibitOnFailure: boolean;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly haSuspend: boolean;
  readonly ops: boolean;
  readonly virtualhost?: string;
  readonly smtpAlert?: boolean;
  readonly realServers: readonly RealServer[];
  readonly span: Span;
}

export type VirtualServerGroupEntry =
  | { readonly kind: 'range'; readonly first: string; readonly last: string; readonly family: AddressFamily; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: AddressFamily };

export interface VirtualServerGroup {
  readonly name: string;
  readonly entries: readonly VirtualServerGroupEntry[];
  readonly span: Span;
}

export interface SslContext {
  readonly password?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface LvsModel {
  readonly virtualServers: readonly VirtualServer[];
  readonly groups: ReadonlyMap<string, VirtualServerGroup>;
  /** The top-level SSL block; SSL_GET checkers use a default context when absent. */
  readonly ssl?: SslContext;
}

declare module '../domain.js' {
  interface ConfigModel {
    lvs: LvsModel;
  }
}
