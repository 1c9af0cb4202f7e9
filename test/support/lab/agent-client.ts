/**
 * Test-side client of a lab agent (see test/support/agents/agent-protocol.ts): starts the agent in
 * a host, sends requests and awaits their replies; events stay readable through `events()`.
 */
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';
import type { LabHost } from './host.js';
import type { LabProcess } from './process.js';

export type AgentReply = Record<string, unknown> & { readonly id: number; readonly ok: boolean };

/** Path of a compiled agent: agentPath('lowlevel-agent') -> dist/test/support/agents/lowlevel-agent.js */
export function agentPath(name: string): string {
  return fileURLToPath(new URL(`../agents/${name}.js`, import.meta.url));
}

export class AgentClient {
  private nextId = 1;

  private constructor(readonly process: LabProcess) {}

  /** Spawns the agent in `host` and waits for its ready event. */
  static async start(host: LabHost, name: string, args: readonly string[] = [], readyTimeoutMs = 10_000): Promise<AgentClient> {
    const proc = host.spawnNode(agentPath(name), args);
    await proc.waitForJson((m) => m['event'] === 'ready', readyTimeoutMs);
    return new AgentClient(proc);
  }

  /** Sends a request; resolves with the reply, rejects with LabError when the agent reports failure. */
  async call<T = AgentReply>(op: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    this.process.send({ ...args, id, op });
    const reply = await this.process.waitForJson<AgentReply>((m) => m['id'] === id, timeoutMs);
    if (!reply.ok) {
      throw new LabError('LAB_PROCESS_FAILED', `agent ${op} failed: ${String(reply['code'])}: ${String(reply['error'])}`);
    }
    return reply as unknown as T;
  }

  /** Events named `name` received so far. */
  events(name: string): Record<string, unknown>[] {
    return this.process.jsonMessages().filter((m) => m['event'] === name);
  }

  /** Waits for an event matching `match`. */
  waitForEvent(name: string, match: (m: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return this.process.waitForJson((m) => m['event'] === name && match(m), timeoutMs);
  }

  stop(): Promise<unknown> {
    return this.process.stop();
  }
}
