/**
 * Agent for the harness self-tests: creates a lab, starts a long-running process in host 1,
 * prints one JSON line describing what it holds, then ends the way argv[2] says:
 *   wait   - wait for a signal (the test sends SIGINT/SIGTERM/SIGHUP/SIGKILL)
 *   throw  - throw an uncaught exception
 *   reject - leave an unhandled promise rejection
 *   exit   - call process.exit(3) without destroying the lab
 * The registry's hooks must tear the lab down in every case but SIGKILL (cleanupStale's job).
 * When the lab cannot be created, prints {"error": code, "message": ...} and exits 2.
 */
import { Lab, LabError } from '../lab/index.js';

async function main(mode: string): Promise<void> {
  let lab: Lab;
  try {
    lab = await Lab.create({ hosts: 2 });
  } catch (e) {
    const code = e instanceof LabError ? e.code : 'UNKNOWN';
    process.stdout.write(`${JSON.stringify({ error: code, message: (e as Error).message })}\n`);
    process.exit(2);
  }
  const sleeper = lab.host(1).spawn('sleep', ['300']);
  const inodes = Object.fromEntries(lab.namespaceInodes());
  process.stdout.write(`${JSON.stringify({ ready: true, prefix: lab.prefix, pids: [sleeper.pid], inodes })}\n`);
  if (mode === 'throw') setTimeout(() => { throw new Error('deliberate uncaught exception'); }, 50);
  if (mode === 'reject') setTimeout(() => void Promise.reject(new Error('deliberate unhandled rejection')), 50);
  if (mode === 'exit') setTimeout(() => process.exit(3), 50);
  setInterval(() => undefined, 60_000);
}

void main(process.argv[2] ?? 'wait');
