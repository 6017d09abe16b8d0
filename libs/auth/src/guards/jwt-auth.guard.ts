import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException, ErrorCode, isConnectionError } from '@praxis/common';
import { IS_PUBLIC } from '../decorators.js';

const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="praxis"' };

/** The 401 message for what passport-jwt reported (missing, expired, malformed token...). */
export function messageFor(info: unknown): string {
  if (!info) return 'Authentication required';
  const e = info as { name?: string; message?: string };
  if (e.name === 'TokenExpiredError') return 'Token expired; log in again';
  if (e.message === 'No auth token') return 'Missing bearer token (Authorization: Bearer <token>)';
  if (e.name === 'NotBeforeError') return 'Token is not valid yet';
  if (e.name === 'JsonWebTokenError') return `Invalid token: ${e.message}`;
  return e.message ? `Invalid token: ${e.message}` : 'Invalid token';
}

/** Global guard: every route needs a valid bearer token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown): TUser {
    if (err instanceof AppException) {
      if (err.code === ErrorCode.UNAUTHENTICATED) throw new AppException(err.code, err.message, undefined, WWW_AUTHENTICATE);
      throw err;
    }
    // The user could not be looked up because the database is down: that is a 503, not "who are you".
    if (isConnectionError(err)) throw err;
    if (err) throw new AppException(ErrorCode.UNAUTHENTICATED, messageFor(err), undefined, WWW_AUTHENTICATE);
    if (!user) throw new AppException(ErrorCode.UNAUTHENTICATED, messageFor(info), undefined, WWW_AUTHENTICATE);
    return user;
  }
}
