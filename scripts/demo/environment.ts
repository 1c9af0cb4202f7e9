/**
 * What the demo needs from this machine, checked before anything is created: Linux, root,
 * iproute2 with `ip netns`, the built keepalived-ts, a web server (nginx, else a small Node
 * server) and curl or wget for the vrrp_script health check. Problems are reported as plain
 * sentences (DemoUnavailableError), never as stack traces.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { platform } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Thrown when the demo cannot run here; the message says why and what to do. */
export class DemoUnavailableError extends Error {
  readonly code = 'DEMO_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'DemoUnavailableError';
  }
}

export interface DemoEnvironment {
  /** bin/keepalived-ts (run with this Node). */
  readonly keepalivedTs: string;
  /** nginx binary, or undefined: the Node fallback server (web-agent.js) is used. */
  readonly nginx: string | undefined;
  readonly webAgent: string;
  readonly pollerAgent: string;
  readonly checkTool: { readonly tool: 'curl' | 'wget'; readonly path: string };
}

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findInPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  return dirs.filter((d) => d !== '').map((d) => `${d}/${name}`).find(executable);
}

/** Checks the platform and privileges first (cheap, and the most common reason to stop). */
export function checkPlatform(): void {
  if (platform() !== 'linux') {
    throw new DemoUnavailableError(`the demo needs Linux (network namespaces, VRRP raw sockets); this machine runs ${platform()}.`);
  }
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new DemoUnavailableError(`the demo needs root to create network namespaces (uid is ${String(uid)}); run it with sudo: sudo npm run demo`);
  }
}

/** Finds the programs the demo runs. */
export function findEnvironment(): DemoEnvironment {
  checkPlatform();
  if (findInPath('ip') === undefined) throw new DemoUnavailableError('the demo needs iproute2 (`ip netns`): apt-get install iproute2');
  // dist/scripts/demo/environment.js -> the package root is three levels up
  const keepalivedTs = here('../../../bin/keepalived-ts');
  const cliMain = here('../../src/cli/main.js');
  if (!existsSync(keepalivedTs) || !existsSync(cliMain)) {
    throw new DemoUnavailableError('keepalived-ts is not built: run `npm install` (or `npm run build`) first.');
  }
  const curl = findInPath('curl');
  const wget = findInPath('wget');
  const checkTool = curl !== undefined ? { tool: 'curl' as const, path: curl } : wget !== undefined ? { tool: 'wget' as const, path: wget } : undefined;
  if (checkTool === undefined) throw new DemoUnavailableError('the demo\'s vrrp_script checks the web server with curl or wget: apt-get install curl');
  return {
    keepalivedTs,
    nginx: findInPath('nginx'),
    webAgent: here('./web-agent.js'),
    pollerAgent: here('./poller-agent.js'),
    checkTool,
  };
}
