export type InfraErrorCode =
  | 'INFRA.BAD_CONFIG'
  | 'INFRA.PORT_TAKEN'
  | 'INFRA.TOOL_MISSING'
  | 'INFRA.FETCH_FAILED'
  | 'INFRA.START_FAILED'
  | 'INFRA.NOT_READY'
  | 'INFRA.NOT_RUNNING'
  | 'INFRA.LOCKED';

/** A failure of the launcher, with a stable code (callers in other processes match on it, not on the class). */
export class InfraError extends Error {
  override readonly name = 'InfraError';

  constructor(
    readonly code: InfraErrorCode,
    message: string,
    readonly logPath?: string,
  ) {
    super(message);
  }
}
