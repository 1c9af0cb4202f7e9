/**
 * Notify scripts as the model carries them: keepalived's keywords mapped to NotifyScripts fields.
 */
import type { NotifyScripts, ScriptSpec } from '../../model/vrrp.js';

const FIELDS: Readonly<Record<string, keyof NotifyScripts>> = {
  notify_master: 'master', notify_backup: 'backup', notify_fault: 'fault', notify_stop: 'stop',
  notify_deleted: 'deleted', notify: 'generic', notify_master_rx_lower_pri: 'masterRxLowerPri',
};

/** The scripts that will run (see post-checks.ts), by NotifyScripts field. */
export function notifyScripts(resolved: Readonly<Record<string, ScriptSpec>> | undefined): NotifyScripts {
  const out: { -readonly [K in keyof NotifyScripts]: NotifyScripts[K] } = {};
  for (const [keyword, spec] of Object.entries(resolved ?? {})) {
    const field = FIELDS[keyword];
    if (field) out[field] = spec;
  }
  return out;
}
