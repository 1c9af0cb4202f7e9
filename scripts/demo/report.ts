/**
 * The demo's console output: the steps as they happen (times relative to each step's action),
 * the client's answers compactly (a line when the answer changes, then one dot per half second
 * of the same answer), the key lines of both daemons' logs, and the final timeline of outages.
 */
import type { Sample } from './client.js';
import { nowMs } from './client.js';
import { VIP, type NodeName } from './conf.js';
import type { DemoReporter, DemoResult, StepNumber, StepResult } from './scenario.js';

const SAMPLES_PER_DOT = 10;
const DOTS_PER_LINE = 60;

const SHORT_TITLES: Readonly<Record<StepNumber, string>> = {
  1: 'start both nodes',
  2: 'SIGTERM keepalived-ts on node1',
  3: 'restart keepalived-ts on node1',
  4: 'kill the web server of node1',
};

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export class ConsoleReporter implements DemoReporter {
  private stepAt = nowMs();
  private lastKey: string | undefined;
  private sameCount = 0;
  private dots = 0;
  private midLine = false;
  /** After cleanup() the steps are over: the daemons' shutdown and the client's last requests are not shown. */
  private closed = false;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  setup(info: { labPrefix: string; webServer: string; scratchDir: string; confPaths: readonly string[] }): void {
    this.line(`lab ${info.labPrefix}-*: node1 192.0.2.1, node2 192.0.2.2, client 192.0.2.3 (network namespaces, removed at the end)`);
    this.line(`web servers: ${info.webServer} on node1 and node2, answering with the node's name`);
    this.line(`keepalived.conf of each node: ${info.confPaths.join(', ')} (node2: state BACKUP, priority 90)`);
  }

  stepStart(step: StepNumber, title: string): void {
    this.stepAt = nowMs();
    this.lastKey = undefined;
    this.line('');
    this.line(`Step ${step}: ${title}`);
  }

  sample(s: Sample): void {
    if (s.stale === true || this.closed) return;
    const key = s.node !== undefined ? `node:${s.node}` : `error:${s.error ?? ''}`;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.sameCount = 0;
      const what = s.node !== undefined ? `${s.node} answers` : `no answer (${s.error ?? 'error'})`;
      this.event(s.t, `client: ${what} `);
      this.dots = 0;
      this.midLine = true;
      return;
    }
    this.sameCount++;
    if (this.sameCount % SAMPLES_PER_DOT !== 0) return;
    if (this.dots >= DOTS_PER_LINE) this.endLine();
    if (!this.midLine) this.out.write(' '.repeat(11));
    this.out.write(s.node !== undefined ? '.' : 'x');
    this.dots++;
    this.midLine = true;
  }

  daemonLog(node: NodeName, line: string): void {
    if (this.closed) return;
    // drop the daemon's own timestamp/prefix noise: keep from "(VI_1)" or "VRRP_" on when present
    const m = /(\(VI_1\).*|VRRP_Script.*|Warning.*|WARNING.*)$/.exec(line);
    this.event(nowMs(), `${node} keepalived-ts: ${m?.[1] ?? line.trim()}`);
    this.endLine();
  }

  stepEnd(r: StepResult): void {
    this.endLine();
    if (r.status === 'ok') {
      const gap = r.step === 1 ? `first answer ${seconds(r.switchMs ?? 0)} after the start` : `longest gap without an answer ${r.longestGapMs ?? 0} ms`;
      this.line(`  => ${r.expected} serves ${VIP} (${gap})`);
    } else if (r.status === 'unavailable') {
      this.line(`  => step ${r.step} is not available yet: ${r.detail ?? ''}`);
    } else {
      this.line(`  => FAILED: ${r.detail ?? 'unknown reason'}`);
    }
  }

  cleanup(): void {
    this.closed = true;
    this.line('');
    this.line('Cleaning up: stopping keepalived-ts, the web servers and the client; deleting the namespaces.');
  }

  interrupted(signal: NodeJS.Signals): void {
    this.endLine();
    this.line(`\nInterrupted (${signal}): stopping the demo's processes and removing its namespaces.`);
  }

  /** The final summary: one line per step with its measured outage. */
  timeline(result: DemoResult): void {
    this.endLine();
    this.line('');
    this.line('Timeline (measured by the client; outage = longest time without any answer, polling every 50 ms):');
    for (const r of result.steps) {
      const head = `  step ${r.step}  ${SHORT_TITLES[r.step].padEnd(32)}`;
      if (r.status === 'ok' && r.step === 1) this.line(`${head}${r.expected} serves   first answer after ${seconds(r.switchMs ?? 0)}`);
      else if (r.status === 'ok') {
        const switched = r.switchMs !== undefined ? `, ${r.expected} steady ${seconds(r.switchMs)} after the action` : '';
        this.line(`${head}${r.expected} serves   outage ${String(r.longestGapMs ?? 0).padStart(5)} ms (${r.failedRequests ?? 0} failed requests${switched})`);
      } else if (r.status === 'unavailable') this.line(`${head}not available yet (${r.detail ?? ''})`);
      else if (r.status === 'not run') this.line(`${head}not run (an earlier step failed)`);
      else this.line(`${head}FAILED (${r.detail ?? ''})`);
    }
  }

  line(text: string): void {
    this.endLine();
    this.out.write(`${text}\n`);
  }

  private event(t: number, text: string): void {
    this.endLine();
    const rel = (t - this.stepAt) / 1000;
    const stamp = `${rel >= 0 ? '+' : '-'}${Math.abs(rel).toFixed(2)}s`;
    this.out.write(`  ${stamp.padStart(7)}  ${text}`);
    this.midLine = true;
  }

  private endLine(): void {
    if (!this.midLine) return;
    this.out.write('\n');
    this.midLine = false;
    // a new line of dots after an interruption restarts the count
    this.dots = 0;
  }
}
