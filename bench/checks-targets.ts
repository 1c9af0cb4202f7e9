/**
 * Targets of `npm run bench:checks`: N real servers on distinct loopback addresses
 * 127.0.(1 + i / 250).(1 + i % 250), port 8080, inside the bench's own network namespace where a
 * local nginx answers on every 127/8 address. keepalived.conf for keepalived-ts and haproxy.cfg
 * for the anchor check the same servers and the same page.
 */
import { createHash } from 'node:crypto';

export const BENCH_PORT = 8080;
export const HEALTH_PATH = '/health.html';
export const HEALTH_BODY = 'healthy: keepalived-ts checker benchmark\n';
export const HEALTH_DIGEST = createHash('md5').update(HEALTH_BODY).digest('hex');
export const MAX_SERVERS = 250 * 200;

export function targetAddress(i: number): string {
  if (i < 0 || i >= MAX_SERVERS) throw new RangeError(`server index ${i} out of range`);
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export function benchConfigText(servers: number): string {
  const parts = ['virtual_server 192.0.2.1 80 {', '  delay_loop 1', '  warmup 0', '  lb_algo rr', '  protocol TCP'];
  for (let i = 0; i < servers; i++) {
    parts.push(
      `  real_server ${targetAddress(i)} ${BENCH_PORT} {`,
      '    HTTP_GET {',
      `      url {\n        path ${HEALTH_PATH}\n        digest ${HEALTH_DIGEST}\n      }`,
      '      connect_timeout 2',
      '      retry 1',
      '      delay_before_retry 1',
      '    }',
      '  }',
    );
  }
  parts.push('}');
  return `${parts.join('\n')}\n`;
}

export function haproxyConfigText(servers: number, dir: string): string {
  const lines = [
    'global',
    '  maxconn 2000',
    '  nbthread 1',
    `  pidfile ${dir}/haproxy.pid`,
    '  spread-checks 5',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 5s',
    '  timeout server 5s',
    '  timeout check 2s',
    'frontend idle',
    '  bind 127.0.0.1:18999',
    '  default_backend bench',
    'backend bench',
    `  option httpchk GET ${HEALTH_PATH}`,
    '  http-check expect string healthy',
  ];
  for (let i = 0; i < servers; i++) lines.push(`  server s${i} ${targetAddress(i)}:${BENCH_PORT} check inter 1s rise 1 fall 2`);
  return `${lines.join('\n')}\n`;
}

export function nginxConfigText(dir: string): string {
  return `daemon off;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp;
  server {
    listen ${BENCH_PORT} reuseport backlog=4096;
    root ${dir}/www;
    location = /nginx_status { stub_status; }
  }
}
`;
}
