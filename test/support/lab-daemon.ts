/**
 * Shared by the lab tests that run the real programs: the daemon (`keepalived-ts -n -l ...` in a
 * lab host, with its config, pid files and TMPDIR in a scratch directory), the log lines that say
 * it has started and stopped, and the nginx real server most of them check (a scratch directory
 * with www/, tmp/ and nginx.conf, nginx run in the foreground as a lab process).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabHost, LabProcess } from './lab/index.js';

export const KEEPALIVED_TS = fileURLToPath(new URL('../../../bin/keepalived-ts', import.meta.url));
export const GENHASH_TS = fileURLToPath(new URL('../../../bin/genhash-ts', import.meta.url));

/** How long the daemon may take to say "Stopped Keepalived" after SIGTERM. */
export const STOP_TIMEOUT_MS = 6_000;
/** How long the checkers may take to start. */
export const CHECKERS_START_TIMEOUT_MS = 10_000;

/**
 * Spawns `keepalived-ts -n -l FLAGS -f DIR/keepalived.conf -p DIR/k.pid -c DIR/c.pid` in `host`
 * (FLAGS e.g. ['-G', '-C']: no VRRP, checkers only), with TMPDIR=DIR. Does not wait.
 */
export function spawnDaemon(host: LabHost, dir: string, flags: readonly string[]): LabProcess {
  const args = ['-n', '-l', ...flags, '-f', join(dir, 'keepalived.conf'), '-p', join(dir, 'k.pid'), '-c', join(dir, 'c.pid')];
  return host.spawn(process.execPath, [KEEPALIVED_TS, ...args], { TMPDIR: dir });
}

/**
 * Waits for "Activating healthchecker for service(s): N real server(s)[, M checker(s)]" (the
 * checker count is matched only when given).
 */
export function waitCheckersActive(daemon: LabProcess, realServers: number, checkers?: number): Promise<string> {
  const tail = checkers === undefined ? '' : `, ${checkers} checker\\(s\\)`;
  return daemon.waitForLine(new RegExp(`Activating healthchecker for service\\(s\\): ${realServers} real server\\(s\\)${tail}`), CHECKERS_START_TIMEOUT_MS);
}

/** Sends SIGTERM and waits for the daemon's "Stopped Keepalived" line. */
export async function stopDaemon(daemon: LabProcess, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  daemon.signal('SIGTERM');
  await daemon.waitForLine(/Stopped Keepalived/, timeoutMs);
}

export interface NginxOptions {
  /** Also listen on [::]:80. */
  readonly ipv6?: boolean;
  /** An HTTPS server on 443 with DIR/cert.pem and DIR/key.pem (the caller makes them). */
  readonly tls?: boolean;
  /** nginx's default_type (nginx's own default is text/plain). */
  readonly defaultType?: string;
}

/** A foreground, single-process nginx serving DIR/www on port 80, everything kept in DIR. */
export function nginxConf(dir: string, options: NginxOptions = {}): string {
  const lines = [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/tmp;`,
    ...(options.defaultType === undefined ? [] : [`  default_type ${options.defaultType};`]),
    '  server {',
    '    listen 80;',
    ...(options.ipv6 === true ? ['    listen [::]:80;'] : []),
    `    root ${dir}/www;`,
    '  }',
    ...(options.tls === true
      ? ['  server {', '    listen 443 ssl;', `    ssl_certificate ${dir}/cert.pem;`, `    ssl_certificate_key ${dir}/key.pem;`, `    root ${dir}/www;`, '  }']
      : []),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** A new scratch directory (prefix e.g. 'kts-genhash-') with www/, tmp/ and nginx.conf. */
export function makeNginxDir(prefix: string, options: NginxOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'www'));
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, options));
  return dir;
}

/** Starts nginx (configured by makeNginxDir) in `host`. */
export function startNginx(host: LabHost, dir: string): LabProcess {
  return host.spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
}
