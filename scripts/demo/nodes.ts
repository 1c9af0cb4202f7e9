/**
 * One node of the demo: a lab host running a web server (nginx with a private config, else the
 * Node fallback) and keepalived-ts with the node's keepalived.conf (-n -l -D -P, own pidfiles).
 * Key lines of the daemon's log (state changes, script results, warnings) go to `onLog`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabHost, LabProcess } from '../../test/support/lab/index.js';
import { keepalivedConf, nginxConf, VIP, webCheckCommand, WEB_PORT, type NodeName, type NodeSpec } from './conf.js';
import type { DemoEnvironment } from './environment.js';

export type LogListener = (node: NodeName, line: string) => void;

/** Daemon log lines worth showing in the demo. */
const INTERESTING = /Entering \w+ STATE|chk_web|[Ss]cript|priority|not supported|[Ee]rror|[Ww]arning/;

/** keepalived-ts prints this (about track_script) while vrrp_script tracking is not in the daemon. */
const TRACKING_UNSUPPORTED = /track_script.*not supported/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class DemoNode {
  private web: LabProcess | undefined;
  private daemon: LabProcess | undefined;
  private starts = 0;
  private follow: NodeJS.Timeout | undefined;
  /** Whether the last started daemon said that track_script is not supported. */
  trackingUnsupported = false;

  constructor(
    readonly spec: NodeSpec,
    readonly host: LabHost,
    private readonly dir: string,
    private readonly env: DemoEnvironment,
    private readonly onLog: LogListener,
  ) {}

  get name(): NodeName {
    return this.spec.name;
  }

  webServerLabel(): string {
    return this.env.nginx !== undefined ? 'nginx' : 'Node HTTP server';
  }

  /** Starts the web server and waits until it answers on the node itself. */
  async startWeb(): Promise<void> {
    if (this.env.nginx !== undefined) {
      const conf = join(this.dir, `${this.name}-nginx.conf`);
      writeFileSync(conf, nginxConf(this.name, this.dir));
      this.web = this.host.spawn(this.env.nginx, ['-p', this.dir, '-c', conf, '-e', join(this.dir, `${this.name}-nginx-error.log`)]);
    } else {
      this.web = this.host.spawn(process.execPath, [this.env.webAgent, this.name, String(WEB_PORT)]);
    }
    const url = `http://127.0.0.1:${WEB_PORT}/`;
    for (let i = 0; i < 100; i++) {
      const r = await this.host.exec(this.env.checkTool.path, this.env.checkTool.tool === 'curl' ? ['-fs', '--max-time', '1', url] : ['-q', '-O', '-', '-T', '1', url]);
      if (r.exitCode === 0 && r.stdout.trim() === this.name) return;
      if (!this.web.running) break;
      await sleep(50);
    }
    const output = [...this.web.stdoutLines, ...this.web.stderrLines].slice(-5).join('\n');
    throw new Error(`the web server of ${this.name} did not answer on port ${WEB_PORT}${output ? `:\n${output}` : ''}`);
  }

  /** Kills the web server (SIGKILL to its process group, as a crash would) and waits for its end. */
  async killWeb(): Promise<void> {
    if (this.web === undefined) return;
    this.web.killSync();
    await this.web.exited;
  }

  /** Starts keepalived-ts with this node's keepalived.conf. */
  startKeepalived(): void {
    this.starts++;
    const tag = `${this.name}-run${this.starts}`;
    const conf = join(this.dir, `${this.name}-keepalived.conf`);
    writeFileSync(conf, keepalivedConf(this.spec, webCheckCommand(this.env.checkTool.tool, this.env.checkTool.path)));
    const args = ['-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', join(this.dir, `${tag}.pid`), '-r', join(this.dir, `${tag}-vrrp.pid`)];
    this.daemon = this.host.spawn(process.execPath, [this.env.keepalivedTs, ...args], { TMPDIR: this.dir });
    this.trackingUnsupported = false;
    this.followLog(this.daemon);
  }

  /** The path of this node's keepalived.conf (for the user to look at). */
  confPath(): string {
    return join(this.dir, `${this.name}-keepalived.conf`);
  }

  /** Resolves once the daemon logs `(VI_1) Entering <state> STATE`; throws with its log if it does not. */
  async waitState(state: 'MASTER' | 'BACKUP', timeoutMs: number): Promise<void> {
    const daemon = this.requireDaemon();
    const pattern = new RegExp(`\\(VI_1\\) Entering ${state} STATE`);
    try {
      await daemon.waitForLine((l) => pattern.test(l), timeoutMs);
    } catch {
      throw new Error(`keepalived-ts on ${this.name} did not enter ${state} state within ${timeoutMs} ms${this.logTail(daemon)}`);
    }
  }

  /** Resolves once the daemon's start-up log is past config loading (its warnings are known). */
  async waitStarted(timeoutMs: number): Promise<void> {
    const daemon = this.requireDaemon();
    try {
      await daemon.waitForLine((l) => /Entering \w+ STATE/.test(l), timeoutMs);
    } catch {
      throw new Error(`keepalived-ts on ${this.name} did not start within ${timeoutMs} ms${this.logTail(daemon)}`);
    }
    this.trackingUnsupported = [...daemon.stdoutLines, ...daemon.stderrLines].some((l) => TRACKING_UNSUPPORTED.test(l));
  }

  /** SIGTERM (what `systemctl stop keepalived` sends) and wait for the daemon's exit. */
  async stopKeepalived(timeoutMs = 6_000): Promise<void> {
    const daemon = this.daemon;
    if (daemon === undefined || !daemon.running) return;
    daemon.signal('SIGTERM');
    const timedOut = await Promise.race([daemon.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut) throw new Error(`keepalived-ts on ${this.name} did not stop within ${timeoutMs} ms of SIGTERM${this.logTail(daemon)}`);
    this.stopFollowing();
  }

  /** Whether the VIP is on this node's eth0 now (`ip addr`). */
  async holdsVip(): Promise<boolean> {
    return (await this.host.addresses()).some((a) => a.split('/')[0] === VIP);
  }

  /** Stops whatever still runs (graceful first). */
  async stopAll(): Promise<void> {
    await this.stopKeepalived().catch(() => undefined);
    this.stopFollowing();
    await this.web?.stop(1_000);
  }

  private requireDaemon(): LabProcess {
    if (this.daemon === undefined) throw new Error(`keepalived-ts is not running on ${this.name}`);
    return this.daemon;
  }

  private logTail(daemon: LabProcess): string {
    const lines = [...daemon.stdoutLines, ...daemon.stderrLines].slice(-12);
    return lines.length > 0 ? `; its last log lines:\n  ${lines.join('\n  ')}` : '';
  }

  private followLog(daemon: LabProcess): void {
    this.stopFollowing();
    const cursors = { out: 0, err: 0 };
    this.follow = setInterval(() => {
      for (const [key, lines] of [['out', daemon.stdoutLines], ['err', daemon.stderrLines]] as const) {
        while (cursors[key] < lines.length) {
          const line = lines[cursors[key]] ?? '';
          cursors[key]++;
          if (INTERESTING.test(line)) this.onLog(this.name, line);
        }
      }
    }, 20);
  }

  private stopFollowing(): void {
    if (this.follow !== undefined) clearInterval(this.follow);
    this.follow = undefined;
  }
}
