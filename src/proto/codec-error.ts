/** Typed failure of a pure codec on bad input (never a bare Error). */
export type CodecErrorCode =
  | 'ERR_INVALID_ADDRESS'
  | 'ERR_INVALID_MAC'
  | 'ERR_BUFFER_TOO_SHORT'
  | 'ERR_INVALID_FIELD';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(readonly code: CodecErrorCode, message: string) {
    super(message);
  }
}
