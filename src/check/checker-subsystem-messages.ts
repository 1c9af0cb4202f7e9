/**
 * keepalived 2.2.7's log wording for checker and real-server transitions (healthcheckers
 * process). Only the wording is matched; the texts are produced by small pure functions.
 */
import type { Checker } from '../config/model/lvs.js';
import type { ProbeResult } from './probe.js';

/** The checker's target as keepalived prints it (FMT_CHK): `[192.0.2.10]:tcp:80`. */
export function checkerTargetName(checker: Checker, realServerName: string, realServerAddress: string, realServerPort: number): string {
  if (!('connection' in checker)) return realServerName;
  const ip = checker.connection.connectIp ?? realServerAddress;
  const port = checker.connection.connectPort ?? realServerPort;
  if (ip === realServerAddress && port === realServerPort) return realServerName;
  return `[${ip}]:tcp:${port}`;
}

/** The line keepalived logs when a checker goes from failed to succeeding. */
export function checkerUpMessage(checker: Checker, target: string, result: ProbeResult, virtualServer: string): string {
  switch (checker.type) {
    case 'TCP_CHECK':
      return `TCP connection to ${target} success.`;
    case 'HTTP_GET':
    case 'SSL_GET': {
      const digest = checker.urls.some((u) => u.digests.length > 0);
      return `${digest ? 'MD5 digest' : 'HTTP status code'} success to ${target} url(${checker.urls.length}).`;
    }
    case 'MISC_CHECK':
      return `Misc check for [${target} VS ${virtualServer}] by [${checker.script.argv[0] ?? checker.script.cmd}] succeeded.`;
    case 'SMTP_CHECK':
      return `Remote SMTP server ${target} succeed on service.`;
    case 'DNS_CHECK':
      return `DNS_CHECK (${target}) succeed on service.`;
    case 'UDP_CHECK':
      return `UDP connection to ${target} success.`;
    case 'PING_CHECK':
      return `ICMP connection to address ${target} success.`;
    case 'FILE_CHECK':
      return `FILE_CHECK ${checker.trackFile} for ${target}: ${result.ok ? (result.detail ?? 'ok') : 'ok'}`;
    case 'BFD_CHECK':
      return `BFD check for ${target} up.`;
  }
}

/** The line keepalived logs when a checker that was up fails for good. */
export function checkerDownMessage(checker: Checker, target: string, retry: number): string {
  const after = retry > 0 ? ` failed after ${retry} retries.` : ' failed.';
  switch (checker.type) {
    case 'TCP_CHECK':
      return `TCP_CHECK on service ${target}${after}`;
    case 'HTTP_GET':
    case 'SSL_GET':
      return `HTTP_CHECK on service ${target}${after}`;
    case 'SMTP_CHECK':
      return `SMTP_CHECK on service ${target}${after}`;
    case 'DNS_CHECK':
      return `DNS_CHECK on service ${target}${after}`;
    case 'UDP_CHECK':
      return `UDP_CHECK on service ${target}${after}`;
    case 'PING_CHECK':
      return `PING_CHECK on service ${target}${after}`;
    case 'MISC_CHECK':
      return `MISC_CHECK on service ${target}${after}`;
    case 'FILE_CHECK':
      return `FILE_CHECK ${checker.trackFile} on service ${target} failed.`;
    case 'BFD_CHECK':
      return `BFD_CHECK on service ${target} failed.`;
  }
}

/** "Adding service X to VS Y" / "Removing service X from VS Y"; inhibit: "Enabling/Disabling service X of VS Y". */
export function serverTransitionMessage(up: boolean, inhibit: boolean, realServer: string, virtualServer: string): string {
  const verb = up ? (inhibit ? 'Enabling' : 'Adding') : inhibit ? 'Disabling' : 'Removing';
  const prep = inhibit ? 'of' : up ? 'to' : 'from';
  return `${verb} service ${realServer} ${prep} VS ${virtualServer}`;
}

export function weightChangeMessage(fromWeight: number, toWeight: number, alive: boolean, realServer: string, virtualServer: string): string {
  return `Changing weight from ${fromWeight} to ${toWeight} for ${alive ? '' : 'in'}active service ${realServer} of VS ${virtualServer}`;
}

/** A failure we log only with log_all_failures (else with -D). */
export function failureDetailMessage(target: string, checker: Checker, result: ProbeResult): string | undefined {
  if (result.ok) return undefined;
  return `${checker.type} on service ${target}: ${result.failure} (${result.reason})`;
}
