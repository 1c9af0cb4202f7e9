/**
 * keepalived 2.2.7's script checks after the VRRP pass: every vrrp_script (used or not) must be
 * found and executable ("Disabling track script X since not found/accessible"); notify scripts
 * that cannot be found, or whose user does not exist, are dropped silently. Scripts that will run
 * feed the SECURITY VIOLATION summary.
 */
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { ScriptSpec } from '../../model/vrrp.js';
import { resolveScriptPath, resolveUser, type ScriptContext } from '../../scripts.js';
import type { ParsedVrrpScript } from './trackers.js';

type NotifyOwner = {
  readonly notify: Record<string, { readonly argv: readonly string[]; readonly userWords: readonly string[] }>;
  /** Filled here: the notify scripts that will run, by keyword. */
  notifyResolved?: Record<string, ScriptSpec>;
};

/** Returns the names of the scripts that will run. */
export function checkScripts(scripts: ReadonlyMap<string, ParsedVrrpScript>, ctx: ValidationContext, sc: ScriptContext): Set<string> {
  const usable = new Set<string>();
  for (const [name, s] of scripts) {
    const program = s.command.argv[0] ?? '';
    // keepalived drops a script reading from a redirection ("</dev/tcp/...") without a word
    if (program.startsWith('</')) continue;
    const r = resolveScriptPath(ctx.env, program);
    if (r.status !== 'ok') {
      ctx.report(ConfigErrorClass.GeneralError, `Disabling track script ${name} since not found/accessible`, s.span, 'none');
      continue;
    }
    if (sc.noteExecutable(r.path, s.user)) usable.add(name);
  }
  return usable;
}

/** Notify scripts of instances and sync groups; returns nothing (keepalived says nothing either). */
export function checkNotifyScripts(owners: readonly NotifyOwner[], ctx: ValidationContext, sc: ScriptContext): void {
  for (const o of owners) {
    for (const [key, n] of Object.entries(o.notify)) {
      const user = n.userWords.length > 0 ? resolveUser(ctx.env, n.userWords.slice(0, 2)) : sc.defaultUser();
      if (!user) continue;
      const r = resolveScriptPath(ctx.env, n.argv[0] ?? '');
      if (r.status === 'ok' && sc.noteExecutable(r.path, user)) (o.notifyResolved ??= {})[key] = { command: { argv: n.argv }, user };
    }
  }
}
