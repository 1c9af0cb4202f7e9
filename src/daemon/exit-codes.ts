/** keepalived's process exit codes (keepalived/include/main.h), which we keep. */
export const ExitCode = {
  ok: 0,
  fatal: 1,
  config: 2,
  missingPermission: 4,
  noConfig: 6,
  programError: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
