/**
 * keepalived's command line (keepalived 2.2.7 `keepalived --help`), parsed into typed options.
 * Messages for bad input keep keepalived's wording ("Unknown option --bogus",
 * "Missing parameter for option -f", "Invalid log facility '9'").
 */
import { getoptLong, GetoptError, type OptionSpec, type ParsedOption } from './getopt.js';

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';
/** `-g` without a file name. */
export const DEFAULT_LOG_FILE = '/tmp/keepalived.log';

export const OPTION_SPECS: readonly OptionSpec[] = [
  { id: 'use-file', short: 'f', long: 'use-file', arg: 'required' },
  { id: 'vrrp', short: 'P', long: 'vrrp', arg: 'none' },
  { id: 'check', short: 'C', long: 'check', arg: 'none' },
  { id: 'no-bfd', short: 'B', long: 'no_bfd', arg: 'none' },
  { id: 'all', long: 'all', arg: 'none' },
  { id: 'log-console', short: 'l', long: 'log-console', arg: 'none' },
  { id: 'log-detail', short: 'D', long: 'log-detail', arg: 'none' },
  { id: 'log-facility', short: 'S', long: 'log-facility', arg: 'required' },
  { id: 'log-file', short: 'g', long: 'log-file', arg: 'optional' },
  { id: 'flush-log-file', long: 'flush-log-file', arg: 'none' },
  { id: 'no-syslog', short: 'G', long: 'no-syslog', arg: 'none' },
  { id: 'umask', short: 'u', long: 'umask', arg: 'required' },
  { id: 'release-vips', short: 'X', long: 'release-vips', arg: 'none' },
  { id: 'dont-release-vrrp', short: 'V', long: 'dont-release-vrrp', arg: 'none' },
  { id: 'dont-release-ipvs', short: 'I', long: 'dont-release-ipvs', arg: 'none' },
  { id: 'dont-respawn', short: 'R', long: 'dont-respawn', arg: 'none' },
  { id: 'dont-fork', short: 'n', long: 'dont-fork', arg: 'none' },
  { id: 'dump-conf', short: 'd', long: 'dump-conf', arg: 'none' },
  { id: 'pid', short: 'p', long: 'pid', arg: 'required' },
  { id: 'vrrp-pid', short: 'r', long: 'vrrp_pid', arg: 'required' },
  { id: 'genhash', short: 'T', long: 'genhash', arg: 'none' },
  { id: 'checkers-pid', short: 'c', long: 'checkers_pid', arg: 'required' },
  { id: 'address-monitoring', short: 'a', long: 'address-monitoring', arg: 'none' },
  { id: 'bfd-pid', short: 'b', long: 'bfd_pid', arg: 'required' },
  { id: 'snmp', short: 'x', long: 'snmp', arg: 'none' },
  { id: 'snmp-agent-socket', short: 'A', long: 'snmp-agent-socket', arg: 'required' },
  { id: 'namespace', short: 's', long: 'namespace', arg: 'required' },
  { id: 'core-dump', short: 'm', long: 'core-dump', arg: 'none' },
  { id: 'core-dump-pattern', short: 'M', long: 'core-dump-pattern', arg: 'optional' },
  { id: 'all-config', short: 'e', long: 'all-config', arg: 'none' },
  { id: 'config-id', short: 'i', long: 'config-id', arg: 'required' },
  { id: 'signum', long: 'signum', arg: 'required' },
  { id: 'config-test', short: 't', long: 'config-test', arg: 'optional' },
  { id: 'version', short: 'v', long: 'version', arg: 'none' },
  { id: 'help', short: 'h', long: 'help', arg: 'none' },
  { id: 'ignore-sigint', long: 'ignore-sigint', arg: 'none' },
  { id: 'no-mem-check', long: 'no-mem-check', arg: 'none' },
  { id: 'json', long: 'json', arg: 'none' },
];

export interface CliOptions {
  configFile: string;
  configFileGiven: boolean;
  subsystems: { vrrp: boolean; check: boolean; bfd: boolean; forceAll: boolean; restricted: boolean };
  logConsole: boolean;
  logDetail: boolean;
  /** syslog facility number (LOG_DAEMON = 3 by default). */
  logFacility: number;
  logFile?: string;
  noSyslog: boolean;
  umask?: number;
  releaseVips: boolean;
  dontReleaseVrrp: boolean;
  dontReleaseIpvs: boolean;
  dontRespawn: boolean;
  dontFork: boolean;
  dumpConf: boolean;
  pidFile?: string;
  vrrpPidFile?: string;
  checkersPidFile?: string;
  bfdPidFile?: string;
  addressMonitoring: boolean;
  snmp: boolean;
  namespace?: string;
  coreDump: boolean;
  allConfig: boolean;
  configId?: string;
  signum?: string;
  /** -t given; `configTestLog` is its optional log file. */
  configTest: boolean;
  configTestLog?: string;
  version: boolean;
  help: boolean;
  json: boolean;
  ignoreSigint: boolean;
  /** Words that are not options (keepalived reports them and carries on). */
  operands: string[];
  /** Non-fatal complaints ("Invalid log facility '9'"), printed by the caller. */
  warnings: string[];
}

/** A command line keepalived refuses (exit 1 with `message` on stderr). */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const LOG_DAEMON = 3;
const LOG_USER = 1;
const LOG_LOCAL0 = 16;

/** `-S` values: 0-7 (LOG_LOCAL0-7), local0-7, user, daemon. Undefined when invalid. */
export function parseFacility(text: string): number | undefined {
  if (/^[0-7]$/.test(text)) return LOG_LOCAL0 + Number(text);
  const local = /^local([0-7])$/.exec(text);
  if (local) return LOG_LOCAL0 + Number(local[1]);
  if (text === 'user') return LOG_USER;
  if (text === 'daemon') return LOG_DAEMON;
  return undefined;
}

/** `-u` takes a number in C notation (0 prefix = octal, 0x = hex). */
export function parseUmask(text: string): number | undefined {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) n = parseInt(text, 8);
  else if (/^[1-9][0-9]*$/.test(text)) n = parseInt(text, 10);
  else return undefined;
  return n <= 0o777 ? n : undefined;
}

function defaults(): CliOptions {
  return {
    configFile: DEFAULT_CONFIG_FILE,
    configFileGiven: false,
    subsystems: { vrrp: true, check: true, bfd: true, forceAll: false, restricted: false },
    logConsole: false,
    logDetail: false,
    logFacility: LOG_DAEMON,
    noSyslog: false,
    releaseVips: false,
    dontReleaseVrrp: false,
    dontReleaseIpvs: false,
    dontRespawn: false,
    dontFork: false,
    dumpConf: false,
    addressMonitoring: false,
    snmp: false,
    coreDump: false,
    allConfig: false,
    configTest: false,
    version: false,
    help: false,
    json: false,
    ignoreSigint: false,
    operands: [],
    warnings: [],
  };
}

function applyValue(o: CliOptions, p: ParsedOption, value: string): void {
  switch (p.id) {
    case 'use-file': o.configFile = value; o.configFileGiven = true; return;
    case 'log-facility': {
      const f = parseFacility(value);
      if (f === undefined) o.warnings.push(`Invalid log facility '${value}'`);
      else o.logFacility = f;
      return;
    }
    case 'umask': {
      const m = parseUmask(value);
      if (m === undefined) o.warnings.push(`Invalid --umask option ${value}`);
      else o.umask = m;
      return;
    }
    case 'log-file': o.logFile = value; return;
    case 'pid': o.pidFile = value; return;
    case 'vrrp-pid': o.vrrpPidFile = value; return;
    case 'checkers-pid': o.checkersPidFile = value; return;
    case 'bfd-pid': o.bfdPidFile = value; return;
    case 'namespace': o.namespace = value; return;
    case 'config-id': o.configId = value; return;
    case 'signum': o.signum = value; return;
    case 'config-test': o.configTestLog = value; return;
    default: return;
  }
}

/** -P / -C: the first one restricts to that subsystem, a second one adds to it. */
function selectOnly(o: CliOptions, which: 'vrrp' | 'check'): void {
  if (!o.subsystems.restricted) {
    o.subsystems.vrrp = false;
    o.subsystems.check = false;
    o.subsystems.restricted = true;
  }
  o.subsystems[which] = true;
}

function applyFlag(o: CliOptions, id: string): void {
  switch (id) {
    case 'vrrp': selectOnly(o, 'vrrp'); return;
    case 'check': selectOnly(o, 'check'); return;
    case 'log-file': o.logFile = DEFAULT_LOG_FILE; return;
    case 'no-bfd': o.subsystems.bfd = false; return;
    case 'all': o.subsystems.forceAll = true; return;
    case 'log-console': o.logConsole = true; return;
    case 'log-detail': o.logDetail = true; return;
    case 'no-syslog': o.noSyslog = true; return;
    case 'release-vips': o.releaseVips = true; return;
    case 'dont-release-vrrp': o.dontReleaseVrrp = true; return;
    case 'dont-release-ipvs': o.dontReleaseIpvs = true; return;
    case 'dont-respawn': o.dontRespawn = true; return;
    case 'dont-fork': o.dontFork = true; return;
    case 'dump-conf': o.dumpConf = true; return;
    case 'address-monitoring': o.addressMonitoring = true; return;
    case 'snmp': o.snmp = true; return;
    case 'core-dump': o.coreDump = true; return;
    case 'all-config': o.allConfig = true; return;
    case 'config-test': o.configTest = true; return;
    case 'version': o.version = true; return;
    case 'help': o.help = true; return;
    case 'json': o.json = true; return;
    case 'ignore-sigint': o.ignoreSigint = true; return;
    default: return;
  }
}

function usageMessage(e: GetoptError, argv: readonly string[]): string {
  if (e.kind === 'missing-argument') return `Missing parameter for option ${e.option}`;
  if (e.kind === 'unexpected-argument') {
    const word = argv.find((w) => w.startsWith(`${e.option}=`) || w.startsWith('--') && w.includes('='));
    return `Unknown option ${word ?? e.option}`;
  }
  return `Unknown option ${e.option}`;
}

/** Parses keepalived's command line (argv without the program name). Throws UsageError. */
export function parseCommandLine(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = getoptLong(argv, OPTION_SPECS);
  } catch (e) {
    if (e instanceof GetoptError) throw new UsageError(usageMessage(e, argv));
    throw e;
  }
  const o = defaults();
  for (const p of parsed.options) {
    if (p.value !== undefined) applyValue(o, p, p.value);
    if (p.id === 'config-test' || p.value === undefined) applyFlag(o, p.id);
  }
  o.operands = parsed.operands;
  if (o.configTest) o.dontFork = true;
  return o;
}
