import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { errorCode, isAppError, type Logger } from '@kindred/platform';

const STATUS_BY_CODE: Readonly<Record<string, status>> = {
  'AUTH.UNAUTHENTICATED': status.UNAUTHENTICATED,
  'AUTH.PERMISSION_DENIED': status.PERMISSION_DENIED,
  'REQUEST.INVALID_ARGUMENT': status.INVALID_ARGUMENT,
  'MATCH.SAME_PEER': status.INVALID_ARGUMENT,
  'MATCH.NOT_FOUND': status.NOT_FOUND,
  'MATCH.PEER_NOT_FOUND': status.NOT_FOUND,
  'MATCH.INVALID_TRANSITION': status.FAILED_PRECONDITION,
  'MATCH.STALE_VERSION': status.FAILED_PRECONDITION,
  'MATCH.PEER_NOT_ELIGIBLE': status.FAILED_PRECONDITION,
  'MATCH.PEER_AT_CAPACITY': status.FAILED_PRECONDITION,
  'MATCH.CONTENDED': status.ABORTED,
};

/** The one place where errors become gRPC statuses. Unexpected errors are logged and answered without details. */
export function toServiceError(error: unknown, log: Logger): Partial<ServiceError> {
  const metadata = new Metadata();
  const code = errorCode(error);
  metadata.set('kindred-error-code', code);
  if (isAppError(error)) {
    const mapped = STATUS_BY_CODE[error.code] ?? (error.retriable ? status.UNAVAILABLE : undefined);
    if (mapped !== undefined) {
      const field = error.details['field'];
      if (typeof field === 'string') metadata.set('kindred-error-field', field);
      return { code: mapped, details: error.message, metadata };
    }
  }
  log.error({ err: error, code }, 'gRPC call failed unexpectedly');
  return { code: status.INTERNAL, details: 'internal error', metadata };
}
