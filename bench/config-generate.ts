/**
 * Generates the benchmark configuration: about 20,000 lines with 2,000 real servers carrying
 * HTTP_GET checks (20 virtual servers of 100) and 200 VRRP instances. Documentation addresses only.
 */

export interface GeneratedConfig {
  readonly text: string;
  readonly lines: number;
  readonly interfaces: string[];
}

function realServer(lines: string[], i: number): void {
  const host = `198.51.100.${(i % 250) + 1}`;
  const port = 8000 + Math.floor(i / 250);
  lines.push(
    `    real_server ${host} ${port} {`,
    '        weight 1',
    '        HTTP_GET {',
    '            url {',
    '                path /health',
    '                status_code 200',
    '            }',
    '        }',
    '    }',
  );
}

function vrrpInstance(lines: string[], n: number): void {
  lines.push(
    `vrrp_instance VI_${n} {`,
    '    state BACKUP',
    `    interface eth${n % 4}`,
    `    virtual_router_id ${(n % 255) + 1}`,
    '    priority 100',
    '    advert_int 1',
    '    authentication {',
    '        auth_type PASS',
    '        auth_pass secret',
    '    }',
    '    virtual_ipaddress {',
    `        203.0.113.${(n % 250) + 1}/24`,
    '    }',
    '}',
  );
}

export function generateBenchConfig(): GeneratedConfig {
  const lines: string[] = ['global_defs {', '    router_id bench', '}', ''];
  for (let vs = 0; vs < 20; vs++) {
    lines.push(`virtual_server 192.0.2.${vs + 1} 80 {`, '    delay_loop 6', '    lb_algo rr', '    lb_kind NAT', '    protocol TCP');
    for (let r = 0; r < 100; r++) realServer(lines, vs * 100 + r);
    lines.push('}');
  }
  for (let n = 0; n < 200; n++) vrrpInstance(lines, n);
  const interfaces = ['eth0', 'eth1', 'eth2', 'eth3'];
  return { text: `${lines.join('\n')}\n`, lines: lines.length, interfaces };
}
