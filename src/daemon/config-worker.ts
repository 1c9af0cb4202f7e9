/** Worker-thread entry: runs the config pipeline with the real environment and posts the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { PipelineExtras } from '../cli/config-test.js';
import { LinuxConfigEnvironment } from '../os/linux/config-environment.js';
import { loadPipeline, type LoadRequest, type LoadedConfig, type WorkerReply } from './config-loader.js';

async function run(req: LoadRequest): Promise<LoadedConfig> {
  const env = new LinuxConfigEnvironment();
  if (env.glob(req.configFile).length === 0) {
    return { missing: true, model: {}, diagnostics: [], exitCode: 0, files: [] };
  }
  const load = await loadPipeline();
  const r = load(req.configFile, env, {
    allConfig: req.allConfig,
    running: true,
    ...(req.configId !== undefined ? { configId: req.configId } : {}),
  });
  const extras: PipelineExtras & typeof r = r;
  return {
    missing: false,
    model: r.model,
    diagnostics: [...r.diagnostics.list],
    exitCode: extras.abortExitCode ?? r.diagnostics.exitCode,
    files: [...r.files],
    ...(extras.abortExitCode !== undefined ? { abortExitCode: extras.abortExitCode } : {}),
  };
}

function post(reply: WorkerReply): void {
  try {
    parentPort?.postMessage(reply);
  } catch (e) {
    parentPort?.postMessage({ ok: false, error: `configuration model cannot be transferred: ${(e as Error).message}` });
  }
}

run(workerData as LoadRequest).then(
  (result) => post({ ok: true, result }),
  (e: unknown) => post({ ok: false, error: e instanceof Error ? e.message : String(e) }),
);
