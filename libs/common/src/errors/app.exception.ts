import { ErrorCode, HTTP_STATUS_BY_CODE } from './error-code.js';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `parameters.volume` or `items.0.name`. */
  field: string;
  message: string;
  constraints?: Record<string, string>;
}

/**
 * A domain error with a stable code. Services throw these; the one exception filter turns them
 * into the error envelope with the code's HTTP status.
 */
export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppException';
    this.status = HTTP_STATUS_BY_CODE[code];
  }

  static validation(fields: FieldError[], message?: string): AppException {
    const names = fields.map((f) => f.field);
    return new AppException(
      ErrorCode.VALIDATION_FAILED,
      message ?? `Invalid input: ${fields.map((f) => f.message).join('; ')}`,
      { fields: names, errors: fields },
    );
  }

  static notFound(what: string, id?: string): AppException {
    return new AppException(ErrorCode.NOT_FOUND, id ? `${what} ${id} not found` : `${what} not found`, id ? { id } : undefined);
  }

  static conflict(message: string, details?: unknown): AppException {
    return new AppException(ErrorCode.CONFLICT, message, details);
  }
}
