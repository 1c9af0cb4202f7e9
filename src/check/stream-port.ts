/**
 * The port for short TCP exchanges (TCP_CHECK, HTTP_GET): connect, write one request, read the
 * answer. The daemon injects the Linux implementation (src/os/linux/stream-exchange.ts, a
 * non-blocking socket in one shared epoll set on the native addon); without it the probes use
 * Node's net sockets (src/check/connect.ts). TLS (SSL_GET) always uses Node's tls.
 *
 * Time is not the port's business: the probe owns the one timer of an attempt and closes the
 * stream when it fires.
 */

export interface StreamEndpoint {
  readonly address: string;
  readonly port: number;
  readonly bindTo?: string;
  readonly bindPort?: number;
}

/** An errno-style failure: `code` is the errno name ("ECONNREFUSED"), as Node reports it. */
export interface StreamError {
  readonly code: string;
  readonly message: string;
}

/**
 * Receives the events of one stream. After onEnd or onError, or once a handler returned true,
 * the stream is closed and nothing more is delivered.
 */
export interface StreamSink {
  /** The connection is established and the whole request was written; true = close now. */
  onConnected(): boolean;
  /**
   * Received bytes, valid ONLY during the call (the buffer is reused): copy what you keep.
   * Returning true closes the stream.
   */
  onData(bytes: Buffer): boolean;
  /** The peer closed its side (end of stream). */
  onEnd(): void;
  /** Connection or I/O failure; `connected` says whether the connection had been established. */
  onError(error: StreamError, connected: boolean): void;
}

export interface StreamHandle {
  /** Closes the stream (idempotent); no more sink calls after it. */
  close(): void;
}

/** Prepared once per checker: the endpoint's socket addresses are encoded a single time. */
export interface StreamConnector {
  /**
   * Opens a stream and writes `request` once connected (an empty request writes nothing).
   * Never throws; it may call sink.onError (or onConnected) before it returns.
   */
  open(request: Uint8Array, sink: StreamSink): StreamHandle;
}

export interface StreamPort {
  /** Throws (a CheckError) when the endpoint cannot be encoded, e.g. a malformed address. */
  connector(endpoint: StreamEndpoint): StreamConnector;
}
