/**
 * Scripts as keepalived 2.2.7 handles them in its config: command parsing (quoting rules), the
 * user a script runs as (`script_user`, per-script `user U [G]`), PATH resolution, existence and
 * execute checks, `enable_script_security` checks and the end-of-parse SECURITY VIOLATION summary.
 *
 * Every script keyword goes through one splitter, as in keepalived 2.2.7 (recorded with strace:
 * test/unit/config/fixtures/script-argv-keepalived.ts for vrrp_script, and
 * test/unit/config/fixtures/script-argv-keepalived-keywords.ts for every other keyword). Two
 * families differ only in what follows the command:
 *   - command only (`scriptCommand`): vrrp_script `script`, MISC_CHECK `misc_path`; words after
 *     the command are ignored;
 *   - command and `user [group]` (`scriptAndUser`): VRRP notify*, sync group notify*, LVS
 *     notify_up/notify_down, quorum_up/quorum_down, notify_fifo_script, vrrp_notify_fifo_script,
 *     lvs_notify_fifo_script; a third word and later are ignored.
 * Pure: everything about the machine comes from ConfigEnvironment.
 */
import type { ConfigEnvironment, UserInfo } from './environment.js';

/** A parsed script command line: `argv[0]` is the program as written, `argv` the full vector. */
export interface ScriptCommand {
  readonly argv: readonly string[];
}

export class ScriptSyntaxError extends Error {
  readonly code = 'SCRIPT_SYNTAX';
}

/** A script value split as keepalived 2.2.7 splits it, or why it cannot be. */
export type ScriptValue =
  | {
    readonly ok: true;
    readonly command: ScriptCommand;
    /** The text after the command as written (e.g. `user group` of a notify). */
    readonly rest: string;
    /** That text in words, quotes removed (`c" d"` is one word `c d`, as keepalived 2.2.7 reads a user). */
    readonly restWords: readonly string[];
  }
  | { readonly ok: false; readonly message: string; /** keepalived logs it in the daemon only (-t says nothing). */ readonly daemonLog?: true };

/**
 * Splits the value of a script keyword (`script`, as written after the keyword) with the rules
 * keepalived 2.2.7 applies, as recorded by running it with a script that writes its argv
 * (test/unit/config/fixtures/script-argv-keepalived.ts, and -keywords.ts for the other keywords):
 *
 * 1. The command is the first word of the value, read like a shell word: up to the first blank
 *    outside quotes, quoted and unquoted pieces joined (`"/x.sh a"b` is `/x.sh ab`, and
 *    `"ps aux | grep -v "grep" | grep x"` is one word). Unquoted `script /x.sh a b` therefore runs
 *    `/x.sh` alone. In a quoted piece C escapes are decoded (`\\` `\"` `\t` `\n` `\r` `\xHH`
 *    `\OOO`); other backslash pairs are kept for step 2. The later words (a notify's user and
 *    group) are read the same way.
 * 2. That command is split into argv on blanks (space, tab, CR, LF...), with '...' and "..." quoting
 *    (quotes removed, adjacent pieces joined, '' an empty argument) and backslash escapes decoded
 *    everywhere, inside single quotes too (`\x` for an unknown x is x). So `"/x.sh a\\ b"` is
 *    ['/x.sh', 'a b'], `"/x.sh a\tb"` is three words, `"/x.sh 'a\\tb'"` holds a tab.
 * A quote left open in step 2 is keepalived's "String '...': missing terminating '" error.
 */
export function parseScriptValue(text: string, keyword?: string): ScriptValue {
  const words = valueWords(text.trim());
  // the first word leaves a quote open: keepalived 2.2.7 quotes the whole line (recorded)
  if ('open' in words) return { ok: false, message: `String '${keyword === undefined ? '' : `${keyword} `}${text.trim()}': missing terminating ${words.open}` };
  const split = splitCommand(words.first);
  if (typeof split === 'string') return { ok: false, message: split };
  // `""` (recorded): the daemon logs this, -t is silent
  if (split.length === 0) return { ok: false, message: `Unable to parse script '${words.first}' - ignoring`, daemonLog: true };
  return { ok: true, command: { argv: split }, rest: words.rest, restWords: words.restWords };
}

/**
 * The value of a script keyword split as keepalived 2.2.7 splits it. `argsText` is the node's text
 * as written (after the keyword); without it (synthetic nodes) the reader's first token is the
 * command and the later tokens are the rest.
 */
export function scriptValue(args: readonly string[], argsText: string | undefined, keyword?: string): ScriptValue {
  if (argsText !== undefined) return parseScriptValue(argsText, keyword);
  const first = args[0];
  if (first === undefined) return { ok: false, message: 'No script' };
  const split = splitCommand(first);
  if (typeof split === 'string') return { ok: false, message: split };
  if (split.length === 0) return { ok: false, message: `Unable to parse script '${first}' - ignoring`, daemonLog: true };
  return { ok: true, command: { argv: split }, rest: args.slice(1).join(' '), restWords: args.slice(1) };
}

/** A command-only value (vrrp_script `script`, MISC_CHECK `misc_path`): words after the command are ignored. */
export function scriptCommand(args: readonly string[], argsText: string | undefined, keyword?: string): { readonly command: ScriptCommand | undefined; readonly error?: string; readonly log?: string } {
  const v = scriptValue(args, argsText, keyword);
  if (v.ok) return { command: v.command };
  return v.daemonLog ? { command: undefined, log: v.message } : { command: undefined, error: v.message };
}

/**
 * A notify-style value: the command and the words after it, `user [group]` (resolveUser reads the
 * first two; keepalived 2.2.7 ignores a third).
 */
export function scriptAndUser(args: readonly string[], argsText: string | undefined, keyword?: string): { readonly command: ScriptCommand | undefined; readonly userWords: readonly string[]; readonly error?: string; readonly log?: string } {
  const v = scriptValue(args, argsText, keyword);
  if (!v.ok) return { command: undefined, userWords: [], ...(v.daemonLog ? { log: v.message } : { error: v.message }) };
  return { command: v.command, userWords: v.restWords };
}

function isBlankChar(c: string): boolean {
  return c === ' ' || (c >= '\t' && c <= '\r');
}

/** A C escape at text[i] (the character after the backslash): its value and where it ends. */
function cEscape(text: string, i: number): { readonly value: string; readonly next: number } | undefined {
  const c = text[i] ?? '';
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };
  const known = simple[c];
  if (known !== undefined) return { value: known, next: i + 1 };
  if (c === 'x') {
    const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1, i + 3))?.[0];
    return hex ? { value: String.fromCharCode(parseInt(hex, 16)), next: i + 1 + hex.length } : undefined;
  }
  const oct = /^[0-7]{1,3}/.exec(text.slice(i, i + 3))?.[0];
  return oct ? { value: String.fromCharCode(parseInt(oct, 8) & 0xff), next: i + oct.length } : undefined;
}

/**
 * Step 1: the words of a script value, shell-like: a word runs to the first blank outside quotes
 * and joins quoted and unquoted pieces (`"/x.sh a"'b c'` is `/x.sh ab c`). In a quoted piece C
 * escapes are decoded and `\"` / `\'` do not end it; other backslash pairs are kept for step 2.
 * Outside quotes a backslash escapes a blank (`"/x.sh a"\ b` is `/x.sh a b`) and keeps any other
 * pair as written. `open` (the quote) when the first word leaves a quote open; a quote left open
 * in a later word takes the rest of the text.
 */
function valueWords(text: string): { readonly first: string; readonly rest: string; readonly restWords: readonly string[] } | { readonly open: string } {
  const words: string[] = [];
  let firstEnd = text.length;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isBlankChar(text[i] ?? '')) i++;
    if (i >= text.length) break;
    let word = '';
    while (i < text.length && !isBlankChar(text[i] ?? '')) {
      const c = text[i] ?? '';
      if (c === '"' || c === "'") {
        const piece = quotedPiece(text, i + 1, c);
        if (piece === undefined) {
          if (words.length === 0) return { open: c };
          word += text.slice(i + 1);
          i = text.length;
          break;
        }
        word += piece.value;
        i = piece.next;
      } else if (c === '\\' && i + 1 < text.length) {
        const n = text[i + 1] ?? '';
        word += isBlankChar(n) ? n : text.slice(i, i + 2);
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    if (words.length === 0) firstEnd = i;
    words.push(word);
  }
  const [first, ...restWords] = words;
  return first === undefined ? { first: '', rest: '', restWords: [] } : { first, rest: text.slice(firstEnd).trim(), restWords };
}

/** A quoted piece from text[from] (after the opening quote `q`): its value and where it ends. */
function quotedPiece(text: string, from: number, q: string): { readonly value: string; readonly next: number } | undefined {
  let value = '';
  for (let i = from; i < text.length;) {
    const c = text[i] ?? '';
    if (c === q) return { value, next: i + 1 };
    if (c === '\\' && i + 1 < text.length) {
      if (text[i + 1] === q) {
        value += q;
        i += 2;
        continue;
      }
      const esc = cEscape(text, i + 1);
      if (esc) {
        value += esc.value;
        i = esc.next;
      } else {
        value += text.slice(i, i + 2);
        i += 2;
      }
      continue;
    }
    value += c;
    i++;
  }
  return undefined;
}

/** Step 2: argv from the command, or keepalived's message for a quote left open. */
function splitCommand(cmd: string): string[] | string {
  const argv: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < cmd.length;) {
    const c = cmd[i] ?? '';
    if (c === '\\' && i + 1 < cmd.length) {
      const esc = cEscape(cmd, i + 1);
      cur += esc ? esc.value : cmd[i + 1];
      i = esc ? esc.next : i + 2;
      inWord = true;
      continue;
    }
    i++;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else cur += c;
      continue;
    }
    if (isBlankChar(c)) {
      if (inWord) argv.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    else cur += c;
  }
  if (quote !== undefined) return `String '${cmd}': missing terminating ${quote}`;
  if (inWord) argv.push(cur);
  return argv;
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
 * Resolves `user [group]` (script_user, per-script `user`). Undefined when the user or group
 * does not exist. A group overrides the user's primary group. keepalived 2.2.7 has no `user:group`
 * or `:group` form: `nobody:daemon` is an unknown user, `:daemon` an unknown group (observed).
 */
export function resolveUser(env: ConfigEnvironment, words: readonly string[]): ScriptUser | undefined {
  const userWord = words[0];
  if (userWord === undefined) return undefined;
  const user: UserInfo | undefined = env.user(userWord);
  if (!user) return undefined;
  const groupWord = words[1];
  if (groupWord === undefined || groupWord === '') return { uid: user.uid, gid: user.gid };
  const group = env.group(groupWord);
  return group ? { uid: user.uid, gid: group.gid } : undefined;
}

/** keepalived's log line for a `user [group]` that resolveUser refuses (undefined when it resolves). */
export function unresolvedUserMessage(env: ConfigEnvironment, words: readonly string[]): string | undefined {
  const userWord = words[0];
  if (userWord === undefined) return undefined;
  if (!env.user(userWord)) return `Script user '${userWord}' does not exist`;
  const groupWord = words[1];
  if (groupWord !== undefined && groupWord !== '' && !env.group(groupWord)) return `Script group '${groupWord}' does not exist`;
  return undefined;
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
    /** keepalived's log lines that are not config messages (the daemon logs them, -t does not). */
    private readonly onLog: (message: string) => void = () => undefined,
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
      else {
        this.onLog("Script user 'keepalived_script' does not exist");
        if (this.settings.enableScriptSecurity) this.onDefaultUserMissing();
      }
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
   * refused one by one. Nor is there when the default script user is not root (observed:
   * `script_user nobody` and a script with `user root` print no SECURITY VIOLATION).
   */
  summary(kind: '' | 'check '): string[] {
    if (!this.scriptsUsed || this.settings.enableScriptSecurity || this.env.euid() !== 0 || this.defaultUid() !== 0) return [];
    return [`SECURITY VIOLATION - ${kind}scripts are being executed but script_security not enabled.${this.insecure ? ' There are insecure scripts.' : ''}`];
  }

  /** The uid of a script without a user of its own (script_user, else keepalived_script, else us). */
  private defaultUid(): number {
    if (this.settings.scriptUser) return this.settings.scriptUser.uid;
    return this.env.user('keepalived_script')?.uid ?? this.env.euid();
  }
}
