/**
 * NftRunner: the Linux side of the nftables data plane's NftPort. Each JSON batch is one kernel
 * transaction (all of it or none of it), never blocking the event loop.
 *
 * First choice: the plane's long-lived `nft -j -i` coprocess (nft-session.ts), a pipe write per
 * batch. When it cannot answer (not started, died, timed out), the batch is run one-shot through
 * the asynchronous ProcessRunner. One-shot, the batch travels as nft's command-line argument (`nft -j 'JSON'`: nft parses the buffer as one
 * JSON batch, one transaction): no temporary file, no disk I/O on the DOWN path. `nft -f -` cannot
 * be used, since nft opens /dev/stdin and Node's stdin pipe is a socketpair (ENXIO). A batch over
 * the kernel's single-argument limit goes through a private temporary file (0600 in a 0700
 * directory, removed after the run).
 * `argvPrefix` lets a test or a namespaced daemon run nft elsewhere (`ip netns exec NS`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NftPort, NftRunOptions, NftRunResult } from '../../lb/planes/nft-plane.js';
import { objectsFromListing } from '../../lb/nft-state.js';
import { LOST, NftSession } from './nft-session.js';
import type { ProcessRunner, RunOutcome } from './process-runner.js';

export interface NftRunnerOptions {
  /** Default `nft` (looked up along PATH). */
  readonly nftPath?: string;
  readonly argvPrefix?: readonly string[];
  readonly timeoutMs?: number;
  /** Keep one `nft -j -i` coprocess for batches (default true); false: one-shot runs only. */
  readonly session?: boolean;
}

export const DEFAULT_NFT_TIMEOUT_MS = 10_000;
/** Below Linux's MAX_ARG_STRLEN (32 pages = 128 KiB) for one argv string. */
export const MAX_ARGV_BATCH_BYTES = 120_000;

export class NftRunner implements NftPort {
  private dir: string | undefined;
  private seq = 0;
  private readonly session: NftSession | undefined;

  constructor(private readonly runner: ProcessRunner, private readonly options: NftRunnerOptions = {}) {
    const argv = [...(options.argvPrefix ?? []), options.nftPath ?? 'nft'];
    this.session = options.session === false ? undefined : new NftSession(argv, options.timeoutMs ?? DEFAULT_NFT_TIMEOUT_MS);
  }

  /**
   * One batch, one kernel transaction: through the coprocess, else one nft run. A batch lost with
   * the coprocess (maybe applied) is re-run one-shot; when that fails, or when the caller said the
   * batch must not be re-run (`retryLost: false`, an incremental batch), the result is
   * `uncertain`: the caller resyncs from the kernel.
   */
  async run(batch: unknown, options: NftRunOptions = {}): Promise<NftRunResult> {
    const text = JSON.stringify(batch);
    const viaSession = this.session?.usable === true ? await this.session.run(text) : undefined;
    if (viaSession === LOST) {
      if (options.retryLost === false) return { ok: false, error: 'the nft coprocess died with the batch in flight', uncertain: true };
      const again = await this.oneShot(text);
      return again.ok ? again : { ...again, uncertain: true };
    }
    if (viaSession !== undefined) return viaSession;
    return this.oneShot(text);
  }

  /** The regular chains and sets of `inet TABLE` as the kernel has them (none when it is absent). */
  async listObjects(table: string): Promise<{ chains: string[]; sets: string[] } | undefined> {
    const outcome = await this.nft(['-j', 'list', 'table', 'inet', table]);
    if (outcome.kind !== 'exited') return undefined;
    if (outcome.exitCode !== 0) return /No such file or directory/.test(outcome.stderr) ? { chains: [], sets: [] } : undefined;
    try {
      return objectsFromListing(JSON.parse(outcome.stdout) as unknown, table);
    } catch {
      return undefined;
    }
  }

  private async oneShot(text: string): Promise<NftRunResult> {
    if (Buffer.byteLength(text) <= MAX_ARGV_BATCH_BYTES) return toResult(await this.nft(['-j', text]));
    const file = await this.batchFile();
    try {
      await writeFile(file, text, { mode: 0o600 });
      return toResult(await this.nft(['-j', '-f', file]));
    } finally {
      await rm(file, { force: true });
    }
  }

  /** `nft --version`: whether nftables is usable here. */
  async probe(): Promise<NftRunResult & { readonly version?: string }> {
    const outcome = await this.nft(['--version']);
    const r = toResult(outcome);
    return r.ok ? { ...r, version: outcome.stdout.trim() } : r;
  }

  /** `nft -j list table inet NAME` parsed, or undefined when absent. */
  async listTable(table: string): Promise<unknown> {
    const outcome = await this.nft(['-j', 'list', 'table', 'inet', table]);
    if (outcome.kind !== 'exited' || outcome.exitCode !== 0) return undefined;
    return JSON.parse(outcome.stdout) as unknown;
  }

  /** Ends the coprocess and removes the temporary directory. */
  async close(): Promise<void> {
    this.session?.close();
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async batchFile(): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'keepalived-ts-nft-'));
    return join(this.dir, `batch-${process.pid}-${++this.seq}.json`);
  }

  private nft(args: readonly string[]): Promise<RunOutcome> {
    const argv = [...(this.options.argvPrefix ?? []), this.options.nftPath ?? 'nft', ...args];
    return this.runner.run({ argv, timeoutMs: this.options.timeoutMs ?? DEFAULT_NFT_TIMEOUT_MS, maxOutputBytes: 4 << 20 });
  }
}

function toResult(outcome: RunOutcome): NftRunResult {
  if (outcome.kind === 'exited' && outcome.exitCode === 0) return { ok: true };
  const why = outcome.kind === 'exited' ? `exit ${outcome.exitCode}`
    : outcome.kind === 'spawn-failed' ? `${outcome.code}: ${outcome.message}` : outcome.kind;
  const text = outcome.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(0, 4).join(' | ');
  return { ok: false, error: text !== '' ? `${why}: ${text}` : why };
}
