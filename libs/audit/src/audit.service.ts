import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, type Page } from '@praxis/common';
import { paginate, uuidv7 } from '@praxis/database';
import { Repository } from 'typeorm';
import { AuditEntry } from './audit-entry.entity.js';
import type { ListAuditEntriesQueryDto } from './audit.dto.js';

/** The audit log: written by the audit interceptor for every state-changing request, read by admins. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(@InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>) {}

  /**
   * Stores one entry. Never throws: the request it describes has already happened, so failing
   * its answer would only mislead the client. A lost entry is not silent: it is logged at error
   * level with everything it held.
   */
  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    try {
      await this.entries.insert({ id: uuidv7(), ...entry } as never);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, audit: entry }, 'audit entry could not be stored');
    }
  }

  list(q: ListAuditEntriesQueryDto): Promise<Page<AuditEntry>> {
    if (q.property && Object.keys(q.property).length) {
      throw AppException.validation([{ field: 'property', message: 'Audit entries have no properties to filter on' }]);
    }
    const qb = this.entries.createQueryBuilder('a');
    if (q.actorId) qb.andWhere('a.actorId = :actorId', { actorId: q.actorId });
    // Local usernames are lower-case; an external issuer's may not be.
    if (q.actorUsername) qb.andWhere('lower(a.actorUsername) = lower(:actorUsername)', { actorUsername: q.actorUsername });
    if (q.targetType) qb.andWhere('a.targetType = :targetType', { targetType: q.targetType });
    if (q.targetId) qb.andWhere('a.targetId = :targetId', { targetId: q.targetId });
    if (q.method) qb.andWhere('a.method = :method', { method: q.method });
    if (q.outcome) qb.andWhere('a.outcome = :outcome', { outcome: q.outcome });
    if (q.status !== undefined) qb.andWhere('a.status = :status', { status: q.status });
    if (q.errorCode) qb.andWhere('a.errorCode = :errorCode', { errorCode: q.errorCode });
    if (q.requestId) qb.andWhere('a.requestId = :requestId', { requestId: q.requestId });
    return paginate(qb, q, { sortable: ['createdAt', 'status'], defaultSort: '-createdAt' });
  }
}
