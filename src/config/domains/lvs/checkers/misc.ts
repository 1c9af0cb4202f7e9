/**
 * MISC_CHECK: misc_path, misc_timeout, misc_dynamic, user; the script's user is resolved at the
 * end of the block (keepalived reports "... - removing" at the closing brace).
 */
import type { ConfigNode } from '../../../ast.js';
import type { CheckScript, MiscChecker } from '../../../model/lvs.js';
import type { ScriptUser } from '../../../scripts.js';
import { ConfigErrorClass } from '../../../diagnostics.js';
import { scriptCommand } from '../../../scripts.js';
import type { CheckerDraft } from '../draft.js';
import { parseUnsigned } from '../../../syntax/numbers.js';
import type { LvsReporter } from '../report.js';
import { scriptForLog, type LvsScripts } from '../scripts.js';
import { applyCommonKeyword, newDraft } from './common.js';

export function parseMiscChecker(node: ConfigNode, r: LvsReporter, scripts: LvsScripts): CheckerDraft | undefined {
  let script: CheckScript | undefined;
  let timeoutUs: bigint | undefined;
  let dynamic = false;
  let user: ScriptUser | undefined;
  let userFailed = false;
  const draft = newDraft('MISC_CHECK', node, (timing) => {
    if (!script) return undefined;
    const c: MiscChecker = {
      type: 'MISC_CHECK',
      span: node.span,
      timing,
      script,
      timeoutMs: timeoutUs !== undefined ? Number(timeoutUs) / 1000 : timing.delayLoopMs,
      dynamic,
    };
    return c;
  });
  for (const c of node.children ?? []) {
    if (applyCommonKeyword(c, draft, r)) continue;
    // Once its user fails, keepalived has dropped the script: its own keywords are then ignored.
    if (userFailed) continue;
    switch (c.keyword) {
      case 'misc_path': {
        // As vrrp_script's `script` (keepalived 2.2.7, recorded): only the first word is the
        // command (quote it to give the script arguments), later words are ignored, not a user.
        const value = scriptCommand(c.args, c.argsText, c.keyword);
        if (value.error !== undefined) r.error(c, value.error);
        if (value.log !== undefined) scripts.report(ConfigErrorClass.DaemonLog, value.log, c);
        script = value.command ? { cmd: value.command.argv.join(' '), argv: value.command.argv, span: c.span } : undefined;
        break;
      }
      case 'misc_timeout': {
        // Whole seconds, at most UINT_MAX microseconds.
        const tok = c.args[0] ?? '';
        const v = parseUnsigned(tok, 0, 4294, r.numbers(c));
        if (v === undefined) r.error(c, `Invalid misc_timeout value '${tok}'`);
        else timeoutUs = BigInt(v) * 1_000_000n;
        break;
      }
      case 'misc_dynamic':
        dynamic = true;
        break;
      case 'user':
        if (c.args.length === 0) {
          r.error(c, `No user specified for misc checker script ${script ? scriptForLog(script) : ''}`);
          break;
        }
        user = scripts.resolveUser(c.args);
        if (!user) {
          userFailed = true;
          r.error(c, `Failed to set uid/gid for misc checker script ${script ? scriptForLog(script) : ''} - removing`);
          script = undefined;
        }
        break;
      default:
        break;
    }
  }
  // the check runs as its `user` (keepalived 2.2.7, recorded: `user nobody` before or after misc_path)
  if (script && user) script = { ...script, runAs: user };
  return finishMisc(node, draft, script, user, userFailed, r, scripts) ? draft : undefined;
}

function finishMisc(
  node: ConfigNode,
  draft: CheckerDraft,
  script: CheckScript | undefined,
  user: ScriptUser | undefined,
  userFailed: boolean,
  r: LvsReporter,
  scripts: LvsScripts,
): boolean {
  if (userFailed) return false;
  if (!script) {
    r.atBlockEnd(node, 'No script path has been specified for MISC_CHECKER - skipping');
    return false;
  }
  const runAs = user ?? scripts.defaultUser(node);
  if (!runAs) {
    r.atBlockEnd(node, `Unable to set default user for misc script ${scriptForLog(script)} - removing`);
    return false;
  }
  scripts.noteScript(script, runAs);
  void draft;
  return true;
}
