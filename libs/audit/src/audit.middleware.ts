import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { codeForStatus } from '@praxis/common';
import { entryFor, isAudited, isAuditable, markArrived } from './audit-request.js';
import { AuditService } from './audit.service.js';

/**
 * Stamps when a write request arrived, and records the ones the interceptor never saw because a
 * guard refused them (403: an authenticated user without the role). Those entries are written
 * after the answer (a guard gives no later hook); a failure to store one is logged. Anonymous
 * refusals (401) are not audited: there is no actor, and anyone could fill the log with them.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (isAuditable(req)) {
      markArrived(req);
      res.on('finish', () => {
        if (isAudited(req) || !req.user || res.statusCode < 400) return;
        void this.audit.record(entryFor(req, res, { status: res.statusCode, errorCode: codeForStatus(res.statusCode) }));
      });
    }
    next();
  }
}
