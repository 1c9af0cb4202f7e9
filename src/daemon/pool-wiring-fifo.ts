/**
 * The LVS notify FIFO writer: opened read-write and non-blocking (as keepalived does, so that
 * opening never waits for a reader and a write never blocks the daemon), created with
 * `mkfifo -m 0600` through the process runner when the path does not exist. Lines are written
 * in order, one at a time; when the reader lags and the pipe is full (EAGAIN) the line is dropped
 * and counted.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ProcessRunner } from '../os/linux/process-runner.js';
import type { LineWriter, LineWriterFactory } from './pool-wiring-notify.js';

const MKFIFO_TIMEOUT_MS = 5_000;

class FifoLineWriter implements LineWriter {
  private chain: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(private readonly handle: FileHandle) {}

  write(line: string): void {
    const bytes = Buffer.from(`${line}\n`);
    this.chain = this.chain.then(() => this.handle.write(bytes)).then(
      () => undefined,
      () => { this.dropped++; },
    );
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}

export class FifoOpenError extends Error {
  readonly code = 'LVS_FIFO_OPEN';
}

export function fifoWriterFactory(runner: ProcessRunner): LineWriterFactory {
  return {
    async open(path: string): Promise<LineWriter> {
      const exists = await stat(path).then((s) => s, () => undefined);
      if (exists === undefined) await mkfifo(runner, path);
      else if (!exists.isFIFO()) throw new FifoOpenError(`${path} exists and is not a FIFO`);
      const handle = await open(path, constants.O_RDWR | constants.O_NONBLOCK);
      return new FifoLineWriter(handle);
    },
  };
}

async function mkfifo(runner: ProcessRunner, path: string): Promise<void> {
  const r = await runner.run({ argv: ['mkfifo', '-m', '0600', path], timeoutMs: MKFIFO_TIMEOUT_MS });
  if (r.kind !== 'exited' || r.exitCode !== 0) throw new FifoOpenError(`cannot create FIFO ${path}: ${r.stderr.trim() || r.kind}`);
}
