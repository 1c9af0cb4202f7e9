/**
 * Texts of `--help`, `--version` and `--signum`, shaped like keepalived 2.2.7's (which prints
 * help and version on stderr and the signal number on stdout).
 */
import { release, version as osVersion } from 'node:os';

/** The keepalived release whose behaviour (config, wire, command line) we follow. */
export const KEEPALIVED_COMPAT_VERSION = '2.2.7';
export const KEEPALIVED_TS_VERSION = '0.1.0';
/** How the daemon names itself in "Starting Keepalived v..." lines. */
export const VERSION_STRING = `v${KEEPALIVED_COMPAT_VERSION} (keepalived-ts ${KEEPALIVED_TS_VERSION})`;

const HELP_ROWS: readonly (readonly [string, string])[] = [
  ['-f, --use-file=FILE', "Use the specified configuration file\n default '/etc/keepalived/keepalived.conf'"],
  ['-P, --vrrp', 'Only run with VRRP subsystem'],
  ['-C, --check', 'Only run with Health-checker subsystem'],
  ['-B, --no_bfd', "Don't run BFD subsystem"],
  ['    --all', 'Force all child processes to run, even if have no configuration'],
  ['-l, --log-console', 'Log messages to local console'],
  ['-D, --log-detail', 'Detailed log messages'],
  ['-S, --log-facility=([0-7]|local[0-7]|user|daemon)', 'Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)'],
  ['-g, --log-file=FILE', "Also log to FILE (default /tmp/keepalived.log)"],
  ['    --flush-log-file', 'Flush log file on write'],
  ['-G, --no-syslog', "Don't log via syslog"],
  ['-u, --umask=MASK', 'umask for file creation (in numeric form)'],
  ['-X, --release-vips', 'Drop VIP on transition from signal.'],
  ['-V, --dont-release-vrrp', "Don't remove VRRP VIPs and VROUTEs on daemon stop"],
  ['-I, --dont-release-ipvs', "Don't remove IPVS topology on daemon stop"],
  ['-R, --dont-respawn', "Don't respawn child processes"],
  ['-n, --dont-fork', "Don't fork the daemon process"],
  ['-d, --dump-conf', 'Dump the configuration data'],
  ['-p, --pid=FILE', 'Use specified pidfile for parent process'],
  ['-r, --vrrp_pid=FILE', 'Use specified pidfile for VRRP child process'],
  ['-T, --genhash', 'Enter into genhash utility mode (this should be the first option used).'],
  ['-c, --checkers_pid=FILE', 'Use specified pidfile for checkers child process'],
  ['-a, --address-monitoring', 'Report all address additions/deletions notified via netlink'],
  ['-b, --bfd_pid=FILE', 'Use specified pidfile for BFD child process'],
  ['-x, --snmp', 'Enable SNMP subsystem (accepted; not implemented)'],
  ['-A, --snmp-agent-socket=FILE', 'Use the specified socket for master agent'],
  ['-s, --namespace=NAME', 'Run in network namespace NAME (overrides config)'],
  ['-m, --core-dump', 'Produce core dump if terminate abnormally'],
  ['-M, --core-dump-pattern=PATN', "Also set /proc/sys/kernel/core_pattern to PATN (default 'core')"],
  ['-e, --all-config', 'Error if any configuration file missing (same as includet)'],
  ['-i, --config-id id', "Skip any configuration lines beginning '@' that don't match id\n or any lines beginning @^ that do match.\n The config-id defaults to the node name if option not used"],
  ['    --signum=SIGFUNC', 'Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON'],
  ['-t, --config-test[=LOG_FILE]', 'Check the configuration for obvious errors, output to\n stderr by default'],
  ['    --json', 'With -t: print the diagnostics and the normalised configuration as JSON on stdout'],
  ['-v, --version', 'Display the version number'],
  ['-h, --help', 'Display this help message'],
];

const HELP_COLUMN = 31;

export function helpText(program: string): string {
  const lines = [`Usage: ${program} [OPTION...]`];
  for (const [flags, text] of HELP_ROWS) {
    const [first = '', ...more] = text.split('\n');
    const head = `  ${flags}`;
    if (head.length < HELP_COLUMN) lines.push(`${head.padEnd(HELP_COLUMN)}${first}`);
    else lines.push(head, `${''.padEnd(HELP_COLUMN)}${first}`);
    for (const m of more) lines.push(`${''.padEnd(HELP_COLUMN)}${m}`);
  }
  return `${lines.join('\n')}\n`;
}

export function versionText(): string {
  return [
    `Keepalived ${VERSION_STRING}`,
    '',
    `keepalived-ts ${KEEPALIVED_TS_VERSION}: a TypeScript re-implementation of keepalived,`,
    `compatible with Keepalived v${KEEPALIVED_COMPAT_VERSION} (configuration, VRRP wire format, command line).`,
    '',
    `Running on Linux ${release()} ${osVersion()}`,
    `Node.js ${process.version}`,
    '',
  ].join('\n');
}

/** `--signum=NAME` values of keepalived 2.2.7 on Linux/glibc (SIGRTMAX 64, SIGRTMIN 34). */
const SIGNUMS: Readonly<Record<string, number>> = {
  STOP: 15,
  RELOAD: 1,
  DATA: 10,
  STATS: 12,
  STATS_CLEAR: 63,
  JSON: 36,
};

export function signalNumber(name: string): number | undefined {
  return Object.hasOwn(SIGNUMS, name) ? SIGNUMS[name] : undefined;
}
