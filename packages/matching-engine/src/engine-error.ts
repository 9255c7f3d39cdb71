/** Bad input to the engine. The code is stable across process boundaries; the message names the field. */
export class EngineInputError extends Error {
  readonly code: 'MATCH.INVALID_INPUT' | 'MATCH.INVALID_CONFIG';
  readonly retryable = false;

  constructor(code: EngineInputError['code'], message: string) {
    super(message);
    this.name = 'EngineInputError';
    this.code = code;
  }
}
