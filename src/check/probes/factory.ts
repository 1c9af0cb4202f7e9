/**
 * Builds the probe of a TCP_CHECK, HTTP_GET or SSL_GET checker from the typed config model.
 * connect_ip/connect_port default to the real server; the SSL block's files are read here once
 * (asynchronously), not at every attempt.
 */
import { readFile } from 'node:fs/promises';
import type { HttpChecker, RealServer, SslContext, TcpChecker } from '../../config/model/lvs.js';
import type { CheckClock } from '../clock.js';
import type { ConnectTarget, TlsOptions } from '../connect.js';
import { CheckError } from '../errors.js';
import { compileUrl } from '../http/verdict.js';
import type { Probe } from '../probe.js';
import type { StreamPort } from '../stream-port.js';
import { httpProbe } from './http.js';
import { httpStreamProbe } from './http-stream.js';
import { tcpProbe, tcpStreamProbe } from './tcp.js';

export function connectTarget(checker: TcpChecker | HttpChecker, rs: RealServer): ConnectTarget {
  const c = checker.connection;
  const port = c.connectPort ?? rs.endpoint.port;
  if (port <= 0) throw new CheckError('CHECK_BAD_TARGET', `${rs.name} ${checker.type}: no port to connect to`);
  return {
    address: c.connectIp ?? rs.endpoint.address,
    port,
    ...(c.bindTo !== undefined ? { bindTo: c.bindTo } : {}),
    ...(c.bindPort !== undefined ? { bindPort: c.bindPort } : {}),
    connectTimeoutMs: checker.timing.connectTimeoutMs,
  };
}

export async function loadTls(ssl: SslContext | undefined, servername: string | undefined): Promise<TlsOptions> {
  const read = async (file: string | undefined): Promise<Buffer | undefined> => (file === undefined ? undefined : readFile(file));
  const [ca, cert, key] = await Promise.all([read(ssl?.caFile), read(ssl?.certFile), read(ssl?.keyFile)]);
  return {
    ...(servername !== undefined ? { servername } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(ssl?.password !== undefined ? { passphrase: ssl.password } : {}),
  };
}

export interface FactoryOptions {
  readonly clock: CheckClock;
  readonly ssl?: SslContext;
  /** SSL_GET sni_name (the model carries enable_sni; the name falls back to the virtualhost). */
  readonly sniName?: string;
  readonly bodyCapBytes?: number;
  /** Fast path for TCP_CHECK and HTTP_GET (not SSL_GET); absent = Node's net sockets. */
  readonly stream?: StreamPort;
}

export async function buildProbe(checker: TcpChecker | HttpChecker, rs: RealServer, o: FactoryOptions): Promise<Probe> {
  const base = connectTarget(checker, rs);
  if (checker.type === 'TCP_CHECK') return o.stream ? tcpStreamProbe(base, o.clock, o.stream) : tcpProbe(base, o.clock);
  const virtualhost = checker.virtualhost ?? rs.virtualhost;
  const sni = checker.enableSni ? (o.sniName ?? virtualhost) : undefined;
  const tls = checker.type === 'SSL_GET' ? await loadTls(o.ssl, sni) : undefined;
  const http = {
    ...base,
    ...(tls !== undefined ? { tls } : {}),
    protocol: checker.httpProtocol,
    urls: checker.urls.map((u) => compileUrl(u)),
    ...(virtualhost !== undefined ? { virtualhost } : {}),
    ...(o.bodyCapBytes !== undefined ? { bodyCapBytes: o.bodyCapBytes } : {}),
  };
  return o.stream && tls === undefined ? httpStreamProbe(http, o.clock, o.stream) : httpProbe(http, o.clock);
}
