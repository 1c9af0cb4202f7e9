/**
 * Leak detection after teardown: is any namespace of a lab still listed, still held by a process,
 * thread or open file descriptor (by inode: the namespace object itself, not just its name), is
 * any process the lab spawned still alive, or did a lab veth end up in the root namespace?
 * Inode numbers are recycled by the kernel: an inode now owned by another named namespace is
 * not counted (an unnamed namespace that got the number could still be a false alarm).
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { listNamespaces } from './registry.js';
import { run } from './run.js';

export interface LeakSubject {
  readonly prefix: string;
  namespaceInodes(): ReadonlyMap<string, number>;
}

export interface LeakReport {
  /** Names still in `ip netns list`. */
  readonly namespaces: string[];
  /** "pid/tid: net:[inode]" or "pid fd N: net:[inode]" holding one of the lab's namespaces. */
  readonly holders: string[];
  /** PIDs (given by the caller) still alive. */
  readonly processes: number[];
  /** Root-namespace links that look like ours (vhN veth ends). */
  readonly rootLinks: string[];
}

export function isClean(report: LeakReport): boolean {
  return report.namespaces.length + report.holders.length + report.processes.length + report.rootLinks.length === 0;
}

/** A SIGKILLed process takes a moment to disappear: leaks are judged after this much patience. */
const GONE_TIMEOUT_MS = 2_000;

export async function findLeaks(subject: LeakSubject, pids: readonly number[] = []): Promise<LeakReport> {
  const processes = await survivors(pids, GONE_TIMEOUT_MS);
  const names = await listNamespaces();
  // The kernel reuses namespace inode numbers: one now owned by another named namespace is not ours.
  const reused = namedNamespaceInodes(names.filter((n) => !n.startsWith(`${subject.prefix}-`)));
  const ours = [...subject.namespaceInodes().values()].filter((i) => !reused.has(i));
  const inodes = new Set(ours.map((i) => `net:[${i}]`));
  return {
    namespaces: names.filter((n) => n.startsWith(`${subject.prefix}-`)),
    holders: scanHolders(inodes),
    processes,
    rootLinks: await rootVethLinks(),
  };
}

/** Every thread's net namespace and every open fd, compared with the lab's namespace inodes. */
function scanHolders(inodes: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const pid of listNumeric('/proc')) {
    for (const tid of listNumeric(`/proc/${pid}/task`)) {
      const ns = readlinkQuiet(`/proc/${pid}/task/${tid}/ns/net`);
      if (ns !== undefined && inodes.has(ns)) found.push(`${pid}/${tid}: ${ns}`);
    }
    for (const fd of listNumeric(`/proc/${pid}/fd`)) {
      const target = readlinkQuiet(`/proc/${pid}/fd/${fd}`);
      if (target !== undefined && inodes.has(target)) found.push(`${pid} fd ${fd}: ${target}`);
    }
  }
  return found;
}

async function rootVethLinks(): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show', 'type', 'veth']);
  return r.stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && /^vh\d+$/.test(n));
}

function namedNamespaceInodes(names: readonly string[]): Set<number> {
  const inodes = new Set<number>();
  for (const name of names) {
    try {
      inodes.add(statSync(`/run/netns/${name}`).ino);
    } catch {
      // deleted meanwhile
    }
  }
  return inodes;
}

/** PIDs still running (zombies count as gone) after waiting up to timeoutMs. */
async function survivors(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  let alive = pids.filter(isRunning);
  while (alive.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    alive = alive.filter(isRunning);
  }
  return alive;
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function listNumeric(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
}

function readlinkQuiet(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
