/** The network-namespace lab harness used by every lab (integration) test. */
export { Lab, BRIDGE_NAME, type LabOptions } from './lab.js';
export { LabHost, type Neighbour } from './host.js';
export { LabProcess, type ExitStatus } from './process.js';
export { Capture, field, fieldValues, type CapturedPacket, type CaptureOptions, type CaptureResult } from './capture.js';
export { LabError, LabUnavailableError, LabCommandError, LabTimeoutError, type LabErrorCode } from './errors.js';
export { cleanupStale, findStale, listNamespaces } from './registry.js';
export { LAB_FAMILY, MAX_HOSTS } from './names.js';
export { assertLabAvailable } from './preflight.js';
export { run, runOk, type RunOptions, type RunResult } from './run.js';
export { findLeaks, type LeakReport } from './leaks.js';
export { AgentClient, agentPath, type AgentReply } from './agent-client.js';
