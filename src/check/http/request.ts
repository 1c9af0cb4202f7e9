/**
 * The HTTP request keepalived's HTTP_GET/SSL_GET checkers and genhash send, byte for byte
 * (verified against a capture of /usr/bin/genhash from keepalived 2.2.7):
 *
 *   GET <path> HTTP/1.0\r\n
 *   User-Agent: KeepAliveClient\r\n
 *   Connection: close\r\n            (http_protocol 1.0C and 1.1 only)
 *   Host: <virtualhost | ip:port>\r\n  (IPv6 literal in brackets; no port with a virtualhost)
 *   \r\n
 */
import { isIPv6 } from 'node:net';
import type { HttpProtocol } from '../../config/model/lvs.js';

export interface HttpRequestSpec {
  readonly path: string;
  readonly protocol: HttpProtocol;
  /** Host header value when set (sent as is). */
  readonly virtualhost?: string;
  /** Address and port connected to, for the default Host header. */
  readonly address: string;
  readonly port: number;
}

export function hostHeaderValue(spec: Pick<HttpRequestSpec, 'virtualhost' | 'address' | 'port'>): string {
  if (spec.virtualhost !== undefined) return spec.virtualhost;
  const host = isIPv6(spec.address) ? `[${spec.address}]` : spec.address;
  return `${host}:${spec.port}`;
}

export function buildRequest(spec: HttpRequestSpec): Buffer {
  const version = spec.protocol === '1.1' ? '1.1' : '1.0';
  const lines = [`GET ${spec.path} HTTP/${version}`, 'User-Agent: KeepAliveClient'];
  if (spec.protocol !== '1.0') lines.push('Connection: close');
  lines.push(`Host: ${hostHeaderValue(spec)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
