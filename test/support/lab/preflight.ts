/**
 * Can the lab run here? It needs root (network namespaces, raw sockets) and iproute2 with
 * `ip netns`. When it cannot, it throws LabUnavailableError saying why: the lab tier fails loudly,
 * it never skips.
 */
import { LabUnavailableError } from './errors.js';
import { run } from './run.js';

let checked: Promise<void> | undefined;

export function assertLabAvailable(): Promise<void> {
  checked ??= check();
  return checked;
}

async function check(): Promise<void> {
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new LabUnavailableError(`must run as root (uid is ${String(uid)}); run the lab tier with sudo or in CI as root`);
  }
  let result;
  try {
    result = await run('ip', ['netns', 'list'], { timeoutMs: 5_000 });
  } catch (e) {
    throw new LabUnavailableError(`cannot run "ip" (iproute2 installed?): ${(e as Error).message}`);
  }
  if (result.exitCode !== 0) {
    throw new LabUnavailableError(`"ip netns list" failed (exit ${String(result.exitCode)}): ${result.stderr.trim()}`);
  }
}

let captureChecked: Promise<void> | undefined;

/** tcpdump (capture) and tshark (decoding) are needed only by captures; checked once. */
export function assertCaptureToolsAvailable(): Promise<void> {
  captureChecked ??= Promise.all([checkTool('tcpdump', 'tcpdump'), checkTool('tshark', 'tshark')]).then(() => undefined);
  return captureChecked;
}

async function checkTool(cmd: string, debianPackage: string): Promise<void> {
  try {
    const r = await run(cmd, ['--version'], { timeoutMs: 10_000 });
    if (r.exitCode === 0) return;
    throw new Error(`exit ${String(r.exitCode)}: ${r.stderr.trim()}`);
  } catch (e) {
    throw new LabUnavailableError(`${cmd} is not usable (apt-get install ${debianPackage}): ${(e as Error).message}`);
  }
}
