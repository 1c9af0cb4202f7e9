/** Errors of the checker layer, each with a stable code. Probes never throw these at runtime. */
export type CheckErrorCode =
  | 'CHECK_BAD_TIMING'       // a CheckerTiming value out of range
  | 'CHECK_DUPLICATE_ID'     // two checkers registered under one id
  | 'CHECK_UNKNOWN_SERVER'   // a checker added to a real server the scheduler does not know
  | 'CHECK_BAD_REGEX'        // a url regex JavaScript cannot compile
  | 'CHECK_BAD_TARGET';      // no address or port to connect to

export class CheckError extends Error {
  readonly code: CheckErrorCode;
  constructor(code: CheckErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckError';
    this.code = code;
  }
}
