/**
 * Keyword tables of the checker pass as keepalived 2.2.7 knows them (every keyword was checked
 * with `keepalived -t`; anything else is "Unknown keyword"). Some are accepted and ignored by
 * keepalived-ts (snmp_name, flag-N ...), as they are by a keepalived built without the feature.
 */
import { block, list, values, type KeywordTable } from '../../schema.js';
import { BFD_TOP_LEVEL } from '../bfd/keywords.js';

/** Connection and timing keywords shared by the network checkers. */
const CONNECTION = [
  'connect_ip',
  'connect_port',
  'bindto',
  'bind_port',
  'bind_if',
  'fwmark',
  'connect_timeout',
  'retry',
  'delay_before_retry',
  'warmup',
  'delay_loop',
  'alpha',
  'log_all_failures',
] as const;

const URL: KeywordTable = values(
  'path',
  'digest',
  'status_code',
  'virtualhost',
  'regex',
  'regex_no_match',
  'regex_options',
  'regex_stack',
  'regex_min_offset',
  'regex_max_offset',
);

const HTTP: KeywordTable = {
  ...values(...CONNECTION, 'nb_get_retry', 'http_protocol', 'virtualhost', 'fast_recovery', 'enable_sni'),
  url: block(URL),
};


const SMTP: KeywordTable = {
  ...values(...CONNECTION, 'helo_name'),
  host: block(values(...CONNECTION)),
};

export const CHECKER_TABLES: Readonly<Record<string, KeywordTable>> = {
  TCP_CHECK: values(...CONNECTION),
  PING_CHECK: values(...CONNECTION),
  HTTP_GET: HTTP,
  SSL_GET: HTTP,
  SMTP_CHECK: SMTP,
  DNS_CHECK: values(...CONNECTION, 'type', 'name'),
  UDP_CHECK: values(...CONNECTION, 'payload', 'require_reply', 'min_reply_length', 'max_reply_length'),
  // MISC_CHECK has the timing keywords but no connection ones (and no connect_timeout).
  MISC_CHECK: values('alpha', 'delay_before_retry', 'delay_loop', 'log_all_failures', 'retry', 'warmup', 'misc_path', 'misc_timeout', 'misc_dynamic', 'user'),
  FILE_CHECK: values('track_file', 'weight'),
  BFD_CHECK: values('alpha', 'name'),
};

function checkerBlocks(): Record<string, ReturnType<typeof block>> {
  const out: Record<string, ReturnType<typeof block>> = {};
  for (const [k, t] of Object.entries(CHECKER_TABLES)) out[k] = block(t);
  return out;
}

const REAL_SERVER: KeywordTable = {
  ...values(
    'weight',
    'lvs_method',
    'notify_up',
    'notify_down',
    'uthreshold',
    'lthreshold',
    'inhibit_on_failure',
    'smtp_alert',
    'virtualhost',
    'alpha',
    'retry',
    'connect_timeout',
    'delay_before_retry',
    'warmup',
    'delay_loop',
    'snmp_name',
  ),
  ...checkerBlocks(),
};

const VIRTUAL_SERVER: KeywordTable = {
  ...values(
    'ip_family',
    'retry',
    'delay_before_retry',
    'warmup',
    'delay_loop',
    'inhibit_on_failure',
    'lb_algo',
    'lvs_sched',
    'hashed',
    'flag-1',
    'flag-2',
    'flag-3',
    'sh-port',
    'sh-fallback',
    'mh-port',
    'mh-fallback',
    'lb_kind',
    'lvs_method',
    'persistence_engine',
    'persistence_timeout',
    'persistence_granularity',
    'protocol',
    'ha_suspend',
    'ops',
    'virtualhost',
    'smtp_alert',
    'snmp_name',
    'alpha',
    'omega',
    'quorum',
    'quorum_up',
    'quorum_down',
    'hysteresis',
    'connect_timeout',
    'sorry_server',
    'sorry_server_inhibit',
    'sorry_server_lvs_method',
    'weight',
  ),
  real_server: block(REAL_SERVER),
};

const SSL: KeywordTable = values('password', 'ca', 'certificate', 'key');


/** track_file blocks are read by the checker pass too (FILE_CHECK refers to them). */
const TRACK_FILE: KeywordTable = values('file', 'weight', 'init_file');

export const LVS_TOP_LEVEL: KeywordTable = {
  virtual_server: block(VIRTUAL_SERVER),
  virtual_server_group: list,
  SSL: block(SSL),
  track_file: block(TRACK_FILE),
  vrrp_track_file: block(TRACK_FILE),
  ...BFD_TOP_LEVEL,
};
