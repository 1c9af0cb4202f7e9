/**
 * Going to the background without fork(2): the foreground process re-spawns itself detached
 * (setsid, stdio on /dev/null, an IPC channel), waits until the child reports that it is up
 * (pidfile written, subsystems started), and exits. If the child dies first, the parent exits
 * with the child's exit code so that init scripts see the failure.
 */
import { spawn } from 'node:child_process';

/** Set in the detached child's environment; the child removes it at once. */
export const DETACHED_ENV = 'KEEPALIVED_TS_DETACHED';

export interface DetachResult {
  /** Exit code for the foreground process. */
  readonly exitCode: number;
  readonly childPid?: number;
}

export class DetachError extends Error {
  readonly code = 'DETACH_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'DetachError';
  }
}

/** True (and the marker cleared) when this process is the detached child. */
export function consumeDetachedMarker(env: NodeJS.ProcessEnv = process.env): boolean {
  const marked = env[DETACHED_ENV] === '1';
  delete env[DETACHED_ENV];
  return marked;
}

/** In the detached child: tell the waiting parent we are up, then drop the channel. */
export function reportReady(): void {
  if (typeof process.send !== 'function') return;
  process.send({ ready: true }, () => {
    if (process.connected) process.disconnect();
  });
}

/** Spawns `node script ...argv` detached and waits for its readiness message. */
export function detach(script: string, argv: readonly string[], readyTimeoutMs: number, setTimer: (fn: () => void, ms: number) => () => void): Promise<DetachResult> {
  const child = spawn(process.execPath, [script, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (fn: () => void): void => {
      if (done) return;
      done = true;
      cancel();
      fn();
    };
    const cancel = setTimer(() => {
      settle(() => reject(new DetachError(`daemon did not report ready within ${readyTimeoutMs} ms`)));
    }, readyTimeoutMs);
    child.once('message', () => {
      settle(() => {
        if (child.connected) child.disconnect();
        child.unref();
        resolve(child.pid !== undefined ? { exitCode: 0, childPid: child.pid } : { exitCode: 0 });
      });
    });
    child.once('exit', (code, signal) => settle(() => resolve({ exitCode: code ?? (signal ? 1 : 0) })));
    child.once('error', (e) => settle(() => reject(new DetachError(e.message))));
  });
}
