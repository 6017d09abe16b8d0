import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppException } from '../errors/app.exception.js';
import { isConnectionError } from '../errors/connection-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { requestIdFor } from './request-id.js';

interface Normalized {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.TOO_MANY_REQUESTS,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** The envelope's error code for an HTTP status (the filter's answer, and the audit log's record of it). */
export function codeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST);
}

/** body-parser errors carry `type` and `status`; they are the client's fault, never a 500. */
function fromBodyParser(err: { type?: string; status?: number; message?: string }): Normalized | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return { status: 400, code: ErrorCode.INVALID_JSON, message: `Request body is not valid JSON: ${err.message}` };
    case 'entity.too.large':
      return { status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'Request body is too large' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: err.message ?? 'Unsupported encoding' };
    case 'request.aborted':
      return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'Request aborted' };
    default:
      return undefined;
  }
}

function normalize(exception: unknown): Normalized {
  if (exception instanceof AppException) {
    return { status: exception.status, code: exception.code, message: exception.message, details: exception.details, headers: exception.headers };
  }
  if (exception instanceof HttpException) {
    // Nest wraps body-parser's errors (bad JSON, too large...) and keeps the original as cause.
    const fromParser = typeof exception.cause === 'object' && exception.cause !== null ? fromBodyParser(exception.cause as { type?: string }) : undefined;
    if (fromParser) return fromParser;
    const status = exception.getStatus();
    const body = exception.getResponse();
    let message = exception.message;
    let details: unknown;
    if (typeof body === 'object' && body !== null) {
      const b = body as { message?: unknown; details?: unknown };
      if (typeof b.message === 'string') message = b.message;
      else if (Array.isArray(b.message)) {
        message = b.message.join('; ');
        details = { errors: b.message };
      }
      if (b.details !== undefined) details = b.details;
    }
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message)) {
      message = `No route ${message.replace(/^Cannot /, '')}`;
    }
    return { status, code: codeForStatus(status), message, details };
  }
  if (typeof exception === 'object' && exception !== null) {
    const parsed = fromBodyParser(exception as { type?: string });
    if (parsed) return parsed;
  }
  // PostgreSQL or Redis is down or restarting: the request may succeed shortly, it is not a bug.
  if (isConnectionError(exception)) {
    return { status: HttpStatus.SERVICE_UNAVAILABLE, code: ErrorCode.SERVICE_UNAVAILABLE, message: 'A service Praxis depends on (database or Redis) is unavailable; try again shortly', headers: { 'Retry-After': '5' } };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: ErrorCode.INTERNAL_ERROR, message: 'Internal server error' };
}

/** The status and error code an exception is answered with (for those that record it, like the audit log). */
export function errorAnswer(exception: unknown): { status: number; code: string } {
  const { status, code } = normalize(exception);
  return { status, code };
}

/**
 * The one place an error becomes an HTTP answer: `{ error: { code, message, details?, traceId } }`.
 * Client errors are logged at info/warn without stacks; only unexpected errors log at error level,
 * and their internals never reach the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const traceId = requestIdFor(req, res);
    const n = normalize(exception);

    if (n.status >= 500 && n.code === ErrorCode.INTERNAL_ERROR) {
      this.logger.error({ err: exception, traceId, method: req.method, url: req.originalUrl }, 'Unhandled error');
    } else if (n.status >= 500) {
      this.logger.warn({ traceId, code: n.code, msg: n.message }, 'Service unavailable');
    }
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(n.headers ?? {})) res.setHeader(k, v);
    const error: Record<string, unknown> = { code: n.code, message: n.message };
    if (n.details !== undefined) error.details = n.details;
    error.traceId = traceId;
    res.status(n.status).json({ error });
  }
}
