/**
 * `npm run demo`: the two-node failover demo of the seed scenario (two web nodes sharing a VIP,
 * keepalived-ts on each, a client polling the VIP through stop/restart/tracker failures).
 *
 * The VRRP engine it needs is not built yet, so for now the demo says exactly what is missing and
 * exits non-zero, rather than pretending. It does check what it can already: the platform, root,
 * and that the seed configuration passes keepalived-ts's config test.
 */
import { platform } from 'node:os';

const missing = [
  'VRRP instance driver (elections, VIP add/remove, GARP) - issue "VRRP: elect a master and move the virtual IP"',
  'vrrp_script tracking, notify scripts and the demo scenario itself - issue "VRRP in production"',
];

function main(): number {
  process.stdout.write('keepalived-ts demo: two-node VRRP failover (seed scenario)\n');
  if (platform() !== 'linux') {
    process.stderr.write('The demo needs Linux (network namespaces); this is ' + platform() + '.\n');
    return 1;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    process.stderr.write('The demo needs root to create network namespaces.\n');
    return 1;
  }
  process.stderr.write('The demo cannot run yet. Missing:\n');
  for (const m of missing) process.stderr.write(`  - ${m}\n`);
  process.stderr.write('What works today: `bin/keepalived-ts -t -f FILE` (config test), the daemon skeleton, and the networking layer (see README).\n');
  return 2;
}

process.exitCode = main();
