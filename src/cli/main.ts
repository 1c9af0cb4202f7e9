/**
 * keepalived-ts entry point (bin/keepalived-ts, bin/genhash-ts): keepalived's command line.
 * `main` sets process.exitCode; the daemon path keeps the process alive until it stops.
 */
import { processOutput, runConfigTest, type ConfigTestOutput } from './config-test.js';
import { loadPipeline, PipelineUnavailableError } from '../daemon/config-loader.js';
import { parseCommandLine, UsageError, type CliOptions } from './options.js';
import { helpText, signalNumber, versionText, VERSION_STRING } from './usage.js';
import { LinuxConfigEnvironment } from '../os/linux/config-environment.js';
import { genhashOutputFrom, runGenhash } from './genhash.js';

export interface MainContext {
  readonly program: string;
}

const GENHASH_FLAGS = new Set(['-T', '--genhash']);
/** keepalived's KEEPALIVED_EXIT_PROGRAM_ERROR. */
const PROGRAM_ERROR_EXIT = 70;

function genhashMode(argv: readonly string[], program: string, out: ConfigTestOutput): Promise<number> {
  if (!GENHASH_FLAGS.has(argv[0] ?? '')) out.stderr('Warning -- `-T` not used as first option, previous options ignored\n');
  const at = argv.findIndex((a) => GENHASH_FLAGS.has(a));
  return runGenhash(argv.slice(at + 1), program, genhashOutputFrom(out, out === processOutput));
}

/** The informational modes: --help, --version, --signum. Undefined when none applies. */
function informational(opts: CliOptions, program: string, out: ConfigTestOutput): number | undefined {
  if (opts.help) {
    out.stderr(helpText(program));
    return 0;
  }
  if (opts.version) {
    out.stderr(versionText());
    return 0;
  }
  if (opts.signum !== undefined) {
    const n = signalNumber(opts.signum);
    if (n === undefined) {
      out.stderr(`Unknown sigfunc ${opts.signum}\n`);
      return 1;
    }
    out.stdout(`${n}\n`);
    return 0;
  }
  return undefined;
}

async function configTest(opts: CliOptions, out: ConfigTestOutput): Promise<number> {
  const env = new LinuxConfigEnvironment();
  return runConfigTest(
    {
      configFile: opts.configFile,
      allConfig: opts.allConfig,
      json: opts.json,
      dumpConf: opts.dumpConf,
      ...(opts.configId !== undefined ? { configId: opts.configId } : {}),
      ...(opts.configTestLog !== undefined ? { logFile: opts.configTestLog } : {}),
    },
    env,
    loadPipeline,
    out,
  );
}

/** Runs the command line; returns the exit code (the daemon path returns when it has stopped). */
export async function run(argv: readonly string[], ctx: MainContext, out: ConfigTestOutput = processOutput): Promise<number> {
  if (argv.some((a) => GENHASH_FLAGS.has(a))) return genhashMode(argv, ctx.program, out);
  let opts: CliOptions;
  try {
    opts = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.stderr(`${e.message}\n${helpText(ctx.program)}`);
    return 1;
  }
  for (const w of opts.warnings) out.stderr(`${w}\n`);
  if (opts.operands.length > 0) out.stderr(`Unexpected argument(s): ${opts.operands.join(' ')} \n`);
  const info = informational(opts, ctx.program, out);
  if (info !== undefined) return info;
  try {
    if (opts.configTest) return await configTest(opts, out);
    const { runDaemon } = await import('../daemon/start.js');
    const { registerVrrp } = await import('../daemon/vrrp-subsystem.js');
    const { registerCheckers } = await import('../daemon/checker-wiring.js');
    const { registerPool } = await import('../daemon/pool-wiring-linux.js');
    const register: NonNullable<Parameters<typeof runDaemon>[1]['register']> = (registry, services) => {
      registerVrrp(registry, services);
      // the pool starts before the checkers (their first events go to it) and stops after them
      registerCheckers(registry, services, registerPool(registry, services));
    };
    return await runDaemon(opts, { program: ctx.program, argv, versionString: VERSION_STRING, register });
  } catch (e) {
    if (e instanceof PipelineUnavailableError) {
      out.stderr(`${ctx.program}: ${e.message}\n`);
      return 1;
    }
    // a bug of ours: say so plainly and exit as keepalived does on a program error (70)
    const where = e instanceof Error ? (e.stack?.split('\n')[1]?.trim() ?? '') : '';
    out.stderr(`${ctx.program}: internal error: ${e instanceof Error ? e.message : String(e)} ${where}\n`);
    return PROGRAM_ERROR_EXIT;
  }
}

export async function main(argv: string[], opts: { program: string }): Promise<void> {
  process.exitCode = await run(argv, { program: opts.program });
}
