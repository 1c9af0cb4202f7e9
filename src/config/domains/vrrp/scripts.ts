/**
 * Scripts of the VRRP pass as keepalived 2.2.7 checks them after reading: every vrrp_script (used
 * or not) must be found and executable ("Disabling track script X since not found/accessible");
 * notify scripts that cannot be found, or whose user does not exist, are dropped (the latter with a
 * daemon log line). Scripts that will run feed the SECURITY VIOLATION summary. Also maps notify keywords to the model.
 */
import type { ConfigNode } from '../../ast.js';
import type { NotifyScripts, ScriptSpec } from '../../model/vrrp.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import { resolveScriptPath, resolveUser, ScriptContext, unresolvedUserMessage } from '../../scripts.js';
import type { ParsedVrrpScript } from './trackers.js';

type Span = ConfigNode['span'];
export type SpanScripts = ScriptContext & { setSpan(s: Span): void };

const NO_DEFAULT_USER = 'Unable to set default user keepalived_script for script';

/**
 * keepalived resolves the default script user once per run: when the checker pass already said it
 * cannot, the VRRP pass stays silent.
 */
export function scriptContext(ctx: ValidationContext): SpanScripts {
  const g = ctx.model.global;
  let span: Span | undefined;
  const alreadySaid = g?.defaultScriptUserSettled === true || ctx.diagnostics.list.some((d) => d.message === NO_DEFAULT_USER);
  const sc = new ScriptContext(ctx.env, { scriptUser: g?.scriptUser, enableScriptSecurity: g?.enableScriptSecurity ?? false }, () => {
    if (span && !alreadySaid) ctx.report(ConfigErrorClass.GeneralError, NO_DEFAULT_USER, span);
  }, (message) => ctx.report(ConfigErrorClass.DaemonLog, message, span ?? { file: '', line: 0 }, 'none'),
  (message) => ctx.report(ConfigErrorClass.DaemonLog, message, span ?? { file: '', line: 0 }, span ? 'inline' : 'none'));
  return Object.assign(sc, { setSpan: (s: Span) => { span = s; } });
}

/** Notify scripts without their own user need the default user (reported once, at the first). */
export function noteDefaultUsers(notify: Record<string, { span: Span; userWords: readonly string[] }>, sc: SpanScripts): void {
  for (const n of Object.values(notify)) {
    if (n.userWords.length > 0) continue;
    sc.setSpan(n.span);
    sc.defaultUser();
  }
}

type NotifyOwner = {
  readonly notify: Record<string, { readonly argv: readonly string[]; readonly userWords: readonly string[]; readonly span?: Span }>;
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
    else ctx.report(ConfigErrorClass.GeneralError, `Disabling track script ${name} due to insecure`, s.span, 'none');
  }
  return usable;
}

/**
 * Notify scripts of instances and sync groups; -t says nothing about them, the daemon logs an
 * unknown user ("Script user 'X' does not exist", "Invalid user/group for notify script P - ignoring").
 */
export function checkNotifyScripts(owners: readonly NotifyOwner[], ctx: ValidationContext, sc: ScriptContext): void {
  for (const o of owners) {
    for (const [key, n] of Object.entries(o.notify)) {
      const user = n.userWords.length > 0 ? resolveUser(ctx.env, n.userWords.slice(0, 2)) : sc.defaultUser();
      if (!user && n.userWords.length > 0 && n.span) {
        // the daemon's log lines (not -t), keepalived 2.2.7's words, where it reads the notify
        const why = unresolvedUserMessage(ctx.env, n.userWords.slice(0, 2));
        if (why !== undefined) ctx.report(ConfigErrorClass.DaemonLog, why, n.span, 'inline');
        ctx.report(ConfigErrorClass.DaemonLog, `Invalid user/group for notify script ${n.argv[0] ?? ''} - ignoring`, n.span, 'inline');
      }
      if (!user) continue;
      const r = resolveScriptPath(ctx.env, n.argv[0] ?? '');
      if (r.status === 'ok' && sc.noteExecutable(r.path, user)) (o.notifyResolved ??= {})[key] = { command: { argv: n.argv }, user };
    }
  }
}

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
