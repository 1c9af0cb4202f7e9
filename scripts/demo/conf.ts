/**
 * The demo's configuration files, written the way keepalived users write them: keepalived.conf
 * for each node (node1 `state MASTER` priority 100, node2 `state BACKUP` priority 90, PASS
 * authentication, one VIP, a vrrp_script that checks the local web server with a weight that
 * moves the VIP), and a private nginx.conf per node (pid, logs and temp files in the demo's
 * scratch directory, `return 200 "nodeN"`).
 */
import { join } from 'node:path';

/** The virtual IP shared by the two nodes (documentation range). */
export const VIP = '192.0.2.100';
export const VIP_PREFIX_LENGTH = 24;
export const WEB_PORT = 80;

export type NodeName = 'node1' | 'node2';
export const NODE_NAMES: readonly NodeName[] = ['node1', 'node2'];

export interface NodeSpec {
  readonly name: NodeName;
  /** Lab host index: node1 is 192.0.2.1, node2 is 192.0.2.2. */
  readonly hostIndex: 1 | 2;
  readonly state: 'MASTER' | 'BACKUP';
  readonly priority: number;
}

export const NODES: Readonly<Record<NodeName, NodeSpec>> = {
  node1: { name: 'node1', hostIndex: 1, state: 'MASTER', priority: 100 },
  node2: { name: 'node2', hostIndex: 2, state: 'BACKUP', priority: 90 },
};

/** Subtracted from node1's priority while its web check fails: 100 - 20 = 80 < 90. */
export const CHECK_WEIGHT = -20;

/** The health check command of the vrrp_script (curl, else wget). */
export function webCheckCommand(tool: 'curl' | 'wget', toolPath: string): string {
  const url = `http://127.0.0.1:${WEB_PORT}/`;
  return tool === 'curl' ? `${toolPath} -fs -o /dev/null --max-time 1 ${url}` : `${toolPath} -q -O /dev/null -T 1 ${url}`;
}

/** keepalived.conf of one node. */
export function keepalivedConf(node: NodeSpec, checkCommand: string): string {
  return `! keepalived-ts demo: ${node.name}
global_defs {
   router_id ${node.name}
   script_user root
   enable_script_security
}

vrrp_script chk_web {
   script "${checkCommand}"
   interval 1
   fall 1
   rise 1
   weight ${CHECK_WEIGHT}
}

vrrp_instance VI_1 {
   state ${node.state}
   interface eth0
   virtual_router_id 51
   priority ${node.priority}
   advert_int 1
   authentication {
      auth_type PASS
      auth_pass d3m0pass
   }
   virtual_ipaddress {
      ${VIP}/${VIP_PREFIX_LENGTH}
   }
   track_script {
      chk_web
   }
}
`;
}

/** A private nginx.conf: nothing outside `dir` is read or written (besides the binary). */
export function nginxConf(name: NodeName, dir: string): string {
  const file = (suffix: string): string => join(dir, `${name}-${suffix}`);
  return `# keepalived-ts demo: web server of ${name}
worker_processes 1;
daemon off;
pid ${file('nginx.pid')};
error_log ${file('nginx-error.log')} warn;
events { worker_connections 256; }
http {
   access_log off;
   client_body_temp_path ${file('nginx-body')};
   proxy_temp_path ${file('nginx-proxy')};
   fastcgi_temp_path ${file('nginx-fastcgi')};
   uwsgi_temp_path ${file('nginx-uwsgi')};
   scgi_temp_path ${file('nginx-scgi')};
   server {
      listen ${WEB_PORT} default_server;
      location / {
         default_type text/plain;
         return 200 "${name}\\n";
      }
   }
}
`;
}
