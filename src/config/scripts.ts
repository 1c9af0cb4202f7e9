/**
 * Scripts as keepalived 2.2.7 handles them in its config: command parsing (quoting rules), the
 * user a script runs as (`script_user`, per-script `user U [G]`), PATH resolution, existence and
 * execute checks, `enable_script_security` checks and the end-of-parse SECURITY VIOLATION summary.
 *
 * Used by the VRRP domain (vrrp_script, notify*) and by the checker domain (MISC_CHECK misc_path,
 * notify_up/down, quorum_up/down). Pure: everything about the machine comes from ConfigEnvironment.
 *
 * Typical use by a domain:
 *   const cmd = parseScriptCommand(node.args);              // words after the keyword
 *   const user = scripts.userFor(node.args.slice(1), span); // or scripts.defaultUser(span)
 *   scripts.register(script) ... then after the whole pass: scripts.finish(ctx) for the summary.
 */
import type { ConfigEnvironment, UserInfo } from './environment.js';

/** A parsed script command line: `argv[0]` is the program as written, `argv` the full vector. */
export interface ScriptCommand {
  readonly argv: readonly string[];
}

export class ScriptSyntaxError extends Error {
  readonly code = 'SCRIPT_SYNTAX';
}

/**
 * Splits a command as keepalived does: the config tokens are joined with spaces, then split on
 * whitespace; '...' keeps text literally, "..." keeps text with backslash escapes, a backslash
 * outside quotes escapes the next character. Returns undefined for an empty command.
 */
export function parseScriptCommand(tokens: readonly string[]): ScriptCommand | undefined {
  let text = tokens.join(' ');
  // a whole command in single quotes is taken as the command itself (keepalived -t finds `bash`
  // in 'bash -c "..."')
  if (text.length > 1 && text.startsWith("'") && text.endsWith("'")) text = text.slice(1, -1);
  const argv: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i] ?? '';
      else cur += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) argv.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < text.length) cur += text[++i] ?? '';
    else cur += c;
  }
  if (inWord) argv.push(cur);
  return argv.length > 0 ? { argv } : undefined;
}

/** keepalived's way of naming a script in messages: every word quoted, "'/x.sh' 'arg'". */
export function formatScriptForLog(cmd: ScriptCommand): string {
  return cmd.argv.map((a) => `'${a}'`).join(' ');
}

/** The user and group a script runs as. */
export interface ScriptUser {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Resolves `user [[:]group]` (script_user, per-script `user`). Undefined when the user or group
 * does not exist. A group given as ":G" or "G" overrides the user's primary group.
 */
export function resolveUser(env: ConfigEnvironment, words: readonly string[]): ScriptUser | undefined {
  const userWord = words[0];
  if (userWord === undefined) return undefined;
  const user: UserInfo | undefined = env.user(userWord);
  if (!user) return undefined;
  let groupWord = words[1];
  if (groupWord?.startsWith(':')) groupWord = groupWord.slice(1);
  if (groupWord === undefined || groupWord === '') return { uid: user.uid, gid: user.gid };
  const group = env.group(groupWord);
  return group ? { uid: user.uid, gid: group.gid } : undefined;
}

export type ScriptPathStatus = 'ok' | 'not-found' | 'not-executable';

/** Finds the program of a command: as written when it has a '/', else along PATH. */
export function resolveScriptPath(env: ConfigEnvironment, program: string): { readonly status: ScriptPathStatus; readonly path: string } {
  const candidates = program.includes('/') ? [program] : env.searchPath().map((d) => `${d.replace(/\/$/, '')}/${program}`);
  let sawFile: string | undefined;
  for (const path of candidates) {
    const st = env.stat(path);
    if (!st?.isFile) continue;
    if (env.isExecutable(path)) return { status: 'ok', path };
    sawFile ??= path;
  }
  if (sawFile) return { status: 'not-executable', path: sawFile };
  return { status: 'not-found', path: program };
}

/**
 * A script that would run as root is insecure when it, or any directory above it, can be changed
 * by a non-root user: owned by non-root, writable by others, or writable by a group other than
 * root's; a directory with the sticky bit is fine (others cannot replace root's entries).
 * Measured with keepalived 2.2.7 -t: /tmp (1777) and 1777/1775 directories, and a 0775 directory
 * of group root, are secure; a 0777 directory, a 0757 script, a 0775 directory or script of a
 * non-root group, and a directory owned by a user are not. Returns true when the path is secure.
 */
export function isPathSecureForRoot(env: ConfigEnvironment, path: string): boolean {
  const parts = path.split('/').filter((p) => p !== '');
  let prefix = '';
  const check = (p: string): boolean => {
    const st = env.stat(p);
    if (!st) return false;
    if (st.uid !== 0) return false;
    const writable = (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== 0);
    return !writable || (st.isDirectory && (st.mode & 0o1000) !== 0);
  };
  if (!check('/')) return false;
  for (const part of parts) {
    prefix += `/${part}`;
    if (!check(prefix)) return false;
  }
  return true;
}

export interface ScriptSettings {
  /** script_user given and resolved; `null` when it was given but failed ("Error setting global script uid/gid"). */
  readonly scriptUser: ScriptUser | null | undefined;
  readonly enableScriptSecurity: boolean;
}

/**
 * Per-process (per pass) script bookkeeping: the default user (resolved once, as keepalived does,
 * with "Unable to set default user keepalived_script for script"), and whether any script will be
 * executed (for the SECURITY VIOLATION summary).
 */
export class ScriptContext {
  private defaultResolved = false;
  private defaultUserValue: ScriptUser | undefined;
  private scriptsUsed = false;
  private insecure = false;

  constructor(
    private readonly env: ConfigEnvironment,
    private readonly settings: ScriptSettings,
    /** Called with keepalived's message when the default user cannot be set (once). */
    private readonly onDefaultUserMissing: () => void,
    /** Called with keepalived's log line for each script refused by script security. */
    private readonly onUnsafe: (message: string) => void = () => undefined,
  ) {}

  /**
   * The user for a script with no `user` of its own. Undefined means the script must be removed
   * (keepalived: "Unable to set default user for ... - removing").
   */
  defaultUser(): ScriptUser | undefined {
    if (this.settings.scriptUser === null) return undefined;
    if (this.settings.scriptUser) return this.settings.scriptUser;
    if (!this.defaultResolved) {
      this.defaultResolved = true;
      const ks = this.env.user('keepalived_script');
      if (ks) this.defaultUserValue = { uid: ks.uid, gid: ks.gid };
      else if (this.settings.enableScriptSecurity) this.onDefaultUserMissing();
    }
    if (this.defaultUserValue) return this.defaultUserValue;
    if (this.settings.enableScriptSecurity) return undefined;
    return { uid: this.env.euid(), gid: 0 };
  }

  /**
   * Records a script that will be executed (found and accessible). A root script in a path
   * writable by others is insecure: with enable_script_security it is refused (false, and the
   * daemon logs keepalived's "Unsafe permissions found for script 'P' - disabling."); without, it
   * runs and the summary says so.
   */
  noteExecutable(path: string, user: ScriptUser): boolean {
    this.scriptsUsed = true;
    if (user.uid !== 0 || isPathSecureForRoot(this.env, path)) return true;
    this.insecure = true;
    const security = this.settings.enableScriptSecurity;
    this.onUnsafe(`Unsafe permissions found for script '${path}'${security ? ' - disabling' : ''}.`);
    return !security;
  }

  /**
   * The end-of-configuration summary, in keepalived 2.2.7's wording (one line, measured); `kind`
   * is '' for the VRRP process and 'check ' for the checker process. Reported with
   * ConfigErrorClass.Security. With enable_script_security there is none: insecure scripts were
   * refused one by one.
   */
  summary(kind: '' | 'check '): string[] {
    if (!this.scriptsUsed || this.settings.enableScriptSecurity || this.env.euid() !== 0) return [];
    return [`SECURITY VIOLATION - ${kind}scripts are being executed but script_security not enabled.${this.insecure ? ' There are insecure scripts.' : ''}`];
  }
}
