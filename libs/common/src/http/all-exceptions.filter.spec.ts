import type { ArgumentsHost } from '@nestjs/common';
import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { describe, expect, it, jest } from '@jest/globals';
import { AppException } from '../errors/app.exception.js';
import { ErrorCode } from '../errors/error-code.js';
import { AllExceptionsFilter } from './all-exceptions.filter.js';

function run(exception: unknown, headers: Record<string, string> = {}) {
  const res = {
    headersSent: false,
    statusCode: 0,
    body: undefined as unknown,
    headers: {} as Record<string, string>,
    setHeader(k: string, v: string) {
      this.headers[k.toLowerCase()] = v;
    },
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(b: unknown) {
      this.body = b;
      return this;
    },
  };
  const req = { headers, method: 'GET', originalUrl: '/x' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return res;
}

describe('AllExceptionsFilter', () => {
  it('maps an AppException to its status, code, details and headers', () => {
    const res = run(new AppException(ErrorCode.TOO_MANY_REQUESTS, 'slow down', { retryAfterSeconds: 3 }, { 'Retry-After': '3' }));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body).toEqual({ error: { code: 'TOO_MANY_REQUESTS', message: 'slow down', details: { retryAfterSeconds: 3 }, traceId: expect.any(String) } });
  });

  it('uses the request id as traceId and echoes it', () => {
    const res = run(new NotFoundException('nope'), { 'x-request-id': 'abc-123-def' });
    expect(res.headers['x-request-id']).toBe('abc-123-def');
    expect((res.body as { error: { traceId: string } }).error.traceId).toBe('abc-123-def');
  });

  it('maps body-parser failures wrapped by Nest to INVALID_JSON / PAYLOAD_TOO_LARGE', () => {
    const json = run(new BadRequestException('Unexpected token', { cause: Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 }) }));
    expect((json.body as { error: { code: string } }).error.code).toBe('INVALID_JSON');
    const big = run(new HttpException('too large', 413, { cause: { type: 'entity.too.large' } }));
    expect(big.statusCode).toBe(413);
    expect((big.body as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('hides the internals of unexpected errors behind a 500 with a trace id, and logs them at error level', () => {
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = run(new Error('password=hunter2 at db.internal:5432'));
    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error', traceId: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2/);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('does not log client errors at error level', () => {
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    run(AppException.validation([{ field: 'name', message: 'name must be a string' }]));
    run(new AppException(ErrorCode.UNAUTHENTICATED, 'no token'));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
