/**
 * `npm run demo`: the seed scenario end to end on one machine (see scripts/demo/scenario.ts):
 * two web nodes share 192.0.2.100 with keepalived-ts, a client polls it, and the demo stops,
 * restarts and breaks node1 while it prints who answers and, at the end, the measured outages.
 * Exit status: 0 every step passed; 1 a step failed or the demo cannot run here (not Linux, not
 * root, keepalived-ts not built); 2 steps 1-3 passed but step 4 (vrrp_script) is not available.
 */
import { DemoUnavailableError, findEnvironment } from './demo/environment.js';
import { ConsoleReporter } from './demo/report.js';
import { runDemo } from './demo/scenario.js';
import { VIP } from './demo/conf.js';

async function main(): Promise<number> {
  const reporter = new ConsoleReporter();
  reporter.line(`keepalived-ts demo: two web nodes share ${VIP} with VRRP; a client polls http://${VIP}/ every 50 ms`);
  let env;
  try {
    env = findEnvironment();
  } catch (e) {
    if (!(e instanceof DemoUnavailableError)) throw e;
    process.stderr.write(`The demo cannot run here: ${e.message}\n`);
    return 1;
  }
  let result;
  try {
    result = await runDemo(env, reporter);
  } catch (e) {
    process.stderr.write(`\nThe demo could not set up its lab: ${(e as Error).message}\n`);
    return 1;
  }
  reporter.timeline(result);
  if (result.ok) {
    reporter.line('\nAll steps passed.');
    return 0;
  }
  const failed = result.steps.filter((s) => s.status === 'failed' || s.status === 'not run');
  if (failed.length > 0) {
    reporter.line(`\nThe demo failed at step ${failed[0]?.step ?? '?'}.`);
    return 1;
  }
  reporter.line('\nSteps 1-3 passed; step 4 needs vrrp_script tracking, which keepalived-ts does not have yet.');
  return 2;
}

process.exitCode = await main();
