import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '@praxis/auth';
import type { Request, Response } from 'express';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import { entryFor, errorOutcome, isAuditable, markAudited } from './audit-request.js';
import { AuditService } from './audit.service.js';

/**
 * Records every state-changing request that reached its route (success or failure) in the audit
 * log. The entry is written before the answer leaves: a client that saw its request answered can
 * find it in the log. Public routes (login) are not audited: they have no actor yet.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    if (!isAuditable(req) || this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return next.handle();
    markAudited(req);
    return next.handle().pipe(
      // Nest has set the status (201, 202, 204...) before calling the handler.
      concatMap(async (body: unknown) => {
        await this.audit.record(entryFor(req, res, { status: res.statusCode, errorCode: null, created: body }));
        return body;
      }),
      catchError((err: unknown) => from(this.audit.record(entryFor(req, res, errorOutcome(err)))).pipe(concatMap(() => throwError(() => err)))),
    );
  }
}
