/**
 * Checker-side scripts (MISC_CHECK misc_path, notify_up/notify_down, quorum_up/quorum_down) on top
 * of the shared script module: command parsing, the user a script runs as, and the bookkeeping for
 * the checker process's "SECURITY VIOLATION - check scripts are being executed ..." summary.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { CheckScript } from '../../model/lvs.js';
import { blockEndSpan } from './report.js';
import {
  formatScriptForLog,
  resolveScriptPath,
  resolveUser,
  scriptAndUser,
  ScriptContext,
  unresolvedUserMessage,
  type ScriptUser,
} from '../../scripts.js';

export class LvsScripts {
  readonly context: ScriptContext;

  constructor(private readonly ctx: ValidationContext) {
    const global = ctx.model.global;
    const settings = {
      scriptUser: global?.scriptUser,
      enableScriptSecurity: global?.enableScriptSecurity ?? false,
    };
    this.context = new ScriptContext(ctx.env, settings, () => {
      if (this.pendingSpan) ctx.report(ConfigErrorClass.GeneralError, 'Unable to set default user keepalived_script for script', this.pendingSpan);
    });
  }

  private pendingSpan: ConfigNode['span'] | undefined;

  /** The default user for a script reported at `node` (undefined: the script must be removed). */
  defaultUser(node: ConfigNode): ScriptUser | undefined {
    // Reported where keepalived resolves it: the closing brace of a MISC_CHECK, else the keyword line.
    this.pendingSpan = blockEndSpan(node);
    return this.context.defaultUser();
  }

  resolveUser(words: readonly string[]): ScriptUser | undefined {
    return resolveUser(this.ctx.env, words);
  }

  get env(): ValidationContext['env'] {
    return this.ctx.env;
  }

  /** A message at the keyword's line ('inline' for the daemon's own log lines). */
  report(cls: ConfigErrorClass, message: string, node: ConfigNode): void {
    if (cls === ConfigErrorClass.DaemonLog) this.ctx.report(cls, message, node.span, 'inline');
    else this.ctx.report(cls, message, node.span);
  }

  /** Records a script that will run as `user` if its program exists; false when insecure. */
  noteScript(script: CheckScript, user: ScriptUser): boolean {
    const program = script.argv[0];
    if (program === undefined) return false;
    const found = resolveScriptPath(this.ctx.env, program);
    if (found.status !== 'ok') return true;
    return this.context.noteExecutable(found.path, user);
  }

  /** The end-of-pass summary lines (Security class, no location). */
  finish(span: ConfigNode['span']): void {
    for (const line of this.context.summary('check ')) this.ctx.report(ConfigErrorClass.Security, line, span, 'none');
  }
}

/**
 * notify_up/notify_down (`kind` 'notify') and quorum_up/quorum_down ('quorum'): split as every
 * keepalived 2.2.7 script (`KEYWORD "cmd args" [user [group]]`; unquoted, only the first word is
 * the command and the next ones are the user). A user that does not resolve drops the script with
 * the daemon's lines (-t says nothing), as recorded.
 */
export function readScript(node: ConfigNode, scripts: LvsScripts, kind: 'notify' | 'quorum'): CheckScript | undefined {
  const { command, userWords, error, log } = scriptAndUser(node.args, node.argsText, node.keyword);
  if (error !== undefined) scripts.report(ConfigErrorClass.GeneralError, error, node);
  if (log !== undefined) scripts.report(ConfigErrorClass.DaemonLog, log, node);
  if (!command) return undefined;
  const script: CheckScript = { cmd: command.argv.join(' '), argv: command.argv, span: node.span };
  if (userWords.length > 0) {
    const words = userWords.slice(0, 2);
    const user = scripts.resolveUser(words);
    if (!user) {
      scripts.report(ConfigErrorClass.DaemonLog, unresolvedUserMessage(scripts.env, words) ?? 'No script user', node);
      scripts.report(ConfigErrorClass.DaemonLog, `Invalid user/group for ${kind} script ${command.argv[0] ?? ''} - ignoring`, node);
      return undefined;
    }
    scripts.noteScript(script, user);
    return { ...script, runAs: user };
  }
  const user = scripts.defaultUser(node);
  if (user) scripts.noteScript(script, user);
  return script;
}

export function scriptForLog(script: CheckScript): string {
  return formatScriptForLog({ argv: script.argv });
}
