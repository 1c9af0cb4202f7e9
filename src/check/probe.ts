/**
 * The checker contract. A probe performs ONE attempt against one target and resolves with a typed
 * result; it never rejects and never retries. Retry, delay_before_retry, delay_loop, warmup, alpha
 * and rise/fall hysteresis are written once, in the scheduler (src/check/scheduler*.ts), for every
 * probe kind.
 */

/** Why an attempt failed, in keepalived's terms where it has them. */
export type ProbeFailure =
  | 'connect-timeout'    // no connection within connect_timeout
  | 'connect-refused'    // RST / ECONNREFUSED / ICMP unreachable
  | 'connect-error'      // any other socket error (reason text says which)
  | 'read-timeout'       // connected, but the answer did not arrive in time
  | 'reset'              // connection reset while reading
  | 'bad-status'         // HTTP status not in status_code
  | 'bad-digest'         // MD5 of the body differs from digest
  | 'regex-mismatch'     // regex / regex_no_match rule failed
  | 'bad-response'       // garbage, truncated or malformed answer (HTTP, SMTP, DNS, UDP)
  | 'body-too-large'     // the body exceeded the cap
  | 'tls-error'          // handshake or verification failure
  | 'script-failed'      // MISC_CHECK exit code 1 (or non-zero without misc_dynamic)
  | 'script-timeout'     // MISC_CHECK killed at misc_timeout
  | 'no-reply'           // UDP/ICMP/DNS: nothing came back
  | 'file-failed'        // FILE_CHECK value says down
  | 'internal';          // our own failure (e.g. socket creation); reason says which

export type ProbeResult =
  | { readonly ok: true; /** MISC_CHECK misc_dynamic / FILE_CHECK dynamic: new weight. */ readonly weight?: number; readonly detail?: string }
  | { readonly ok: false; readonly failure: ProbeFailure; readonly reason: string };

/** One probe attempt. `signal` aborts it (shutdown, reload); an aborted probe resolves quickly. */
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;
