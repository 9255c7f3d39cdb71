/**
 * Errors that cross a boundary carry a stable string code and a retry flag: `instanceof` does not survive a
 * process boundary, a code does. Edges translate them (HTTP status, gRPC status, dead-letter, UnrecoverableError).
 */
export interface AppErrorOptions {
  /** Transient (a later attempt may succeed) or permanent. */
  readonly retriable?: boolean;
  /** Non-PII details for clients and logs, e.g. the field that was invalid. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The code of any thrown value, for logs, metrics and dead-letter headers. */
export function errorCode(error: unknown): string {
  if (isAppError(error)) return error.code;
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (typeof code === 'string') return code;
  return 'UNEXPECTED';
}

/** A message safe to log: never the value that failed, only what went wrong. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
