/**
 * The FIFOs the pool writes its LVS lines to, keepalived's way: every `VS ...` / `RS ...` line
 * goes to the global `notify_fifo` AND to `lvs_notify_fifo` (each when configured).
 * `lvs_notify_fifo_script` is started once the FIFO is open, with the FIFO name appended as its
 * last argument, and stopped at shutdown; the global `notify_fifo_script` is started here only
 * when the VRRP subsystem (which starts it otherwise) does not run in this process.
 * On reload the FIFOs whose path changed are closed (their script stopped) and the new ones
 * opened. Ports only: the Linux writer is pool-wiring-fifo.ts, the script port is wired in
 * pool-wiring-linux.ts.
 */
import type { GlobalModel, NotifyFifo } from '../config/model/global.js';
import type { LineWriter, LineWriterFactory } from './pool-wiring-notify.js';

/** A running FIFO script; `stop` ends it (SIGTERM to its process group). */
export interface FifoScriptHandle {
  stop(): void;
}

export interface FifoScriptPort {
  start(argv: readonly string[], user: { readonly uid: number; readonly gid: number }): FifoScriptHandle;
}

export interface FifoSpec {
  /** `notify_fifo` or `lvs_notify_fifo`: the keyword, for messages. */
  readonly keyword: string;
  readonly fifo: NotifyFifo;
  /** Start the FIFO's script (false: another subsystem runs it). */
  readonly runScript: boolean;
}

/** The FIFOs the pool writes to for this configuration. */
export function poolFifoSpecs(global: GlobalModel | undefined, vrrpRunsGlobalScript: boolean): FifoSpec[] {
  const specs: FifoSpec[] = [];
  if (global?.notifyFifo !== undefined) specs.push({ keyword: 'notify_fifo', fifo: global.notifyFifo, runScript: !vrrpRunsGlobalScript });
  if (global?.lvsNotifyFifo !== undefined) specs.push({ keyword: 'lvs_notify_fifo', fifo: global.lvsNotifyFifo, runScript: true });
  return specs;
}

interface OpenFifo {
  readonly key: string;
  readonly writer: LineWriter;
  readonly script?: FifoScriptHandle;
}

export interface FifoSetLog {
  error(message: string): void;
  info(message: string): void;
}

const keyOf = (s: FifoSpec): string => `${s.keyword}\0${s.fifo.path}\0${s.runScript ? (s.fifo.script?.argv ?? []).join('\0') : ''}`;

/** The open FIFOs as one LineWriter: a line is written to each. */
export class FifoSet implements LineWriter {
  private open: OpenFifo[] = [];

  constructor(
    private readonly factory: LineWriterFactory,
    private readonly scripts: FifoScriptPort | undefined,
    private readonly log: FifoSetLog,
  ) {}

  get size(): number {
    return this.open.length;
  }

  /** Opens the FIFOs of `specs` not open yet and closes those no longer wanted. */
  async configure(specs: readonly FifoSpec[], user: { readonly uid: number; readonly gid: number }): Promise<void> {
    const wanted = new Map(specs.map((s) => [keyOf(s), s]));
    const gone = this.open.filter((f) => !wanted.has(f.key));
    this.open = this.open.filter((f) => wanted.has(f.key));
    await Promise.all(gone.map((f) => closeOne(f)));
    for (const [key, spec] of wanted) {
      if (this.open.some((f) => f.key === key)) continue;
      const path = spec.fifo.path;
      let writer: LineWriter;
      try {
        writer = await this.factory.open(path);
      } catch (e) {
        this.log.error(`${spec.keyword} ${path}: ${(e as Error).message} - no LVS FIFO notifications there`);
        continue;
      }
      const argv = spec.runScript && spec.fifo.script !== undefined ? [...spec.fifo.script.argv, path] : undefined;
      const script = argv !== undefined && this.scripts !== undefined ? this.scripts.start(argv, spec.fifo.user ?? user) : undefined;
      if (argv !== undefined) this.log.info(`${spec.keyword}: running ${argv.join(' ')}`);
      this.open.push({ key, writer, ...(script !== undefined ? { script } : {}) });
    }
  }

  write(line: string): void {
    for (const f of this.open) f.writer.write(line);
  }

  async close(): Promise<void> {
    const all = this.open;
    this.open = [];
    await Promise.all(all.map((f) => closeOne(f)));
  }
}

async function closeOne(f: OpenFifo): Promise<void> {
  f.script?.stop();
  await f.writer.close().catch(() => undefined);
}
