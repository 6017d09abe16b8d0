import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { AppException, type ListQueryDto, type Page } from '@praxis/common';
import { paginate, rethrowDbConflict, uuidv7 } from '@praxis/database';
import { DataSource, Repository } from 'typeorm';
import type {
  CreateNotificationRuleDto,
  ListNotificationDeliveriesQueryDto,
  ListNotificationRulesQueryDto,
  UpdateNotificationRuleDto,
} from './notification.dto.js';
import { NotificationDelivery, NotificationRule } from './notification.entity.js';

/** Notification rules (who is mailed about which run events) and the record of every delivery. */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectRepository(NotificationRule) private readonly rules: Repository<NotificationRule>,
    @InjectRepository(NotificationDelivery) private readonly deliveries: Repository<NotificationDelivery>,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  listRules(q: ListNotificationRulesQueryDto): Promise<Page<NotificationRule>> {
    const qb = this.rules.createQueryBuilder('r');
    if (q.event) qb.andWhere(':event = ANY(r.events)', { event: q.event });
    if (q.protocolName) qb.andWhere('r.protocolName = :protocolName', { protocolName: q.protocolName });
    if (q.workcellId) qb.andWhere('r.workcellId = :workcellId', { workcellId: q.workcellId });
    if (q.enabled !== undefined) qb.andWhere('r.enabled = :enabled', { enabled: q.enabled });
    if (q.recipient) qb.andWhere(':recipient = ANY(r.recipients)', { recipient: q.recipient.trim().toLowerCase() });
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'name'], defaultSort: 'name' });
  }

  async getRule(id: string): Promise<NotificationRule> {
    const r = await this.rules.findOneBy({ id });
    if (!r) throw AppException.notFound('Notification rule', id);
    return r;
  }

  async createRule(dto: CreateNotificationRuleDto, actor: string): Promise<NotificationRule> {
    if (dto.workcellId) await this.checkWorkcell(dto.workcellId);
    const rule = this.rules.create({
      id: uuidv7(),
      name: dto.name,
      events: dto.events,
      recipients: dto.recipients,
      protocolName: dto.protocolName ?? null,
      workcellId: dto.workcellId ?? null,
      enabled: dto.enabled ?? true,
      createdBy: actor,
    });
    try {
      return await this.rules.save(rule);
    } catch (err) {
      rethrowDbConflict(err, `Notification rule ${dto.name}`);
    }
  }

  async updateRule(id: string, dto: UpdateNotificationRuleDto): Promise<NotificationRule> {
    const rule = await this.getRule(id);
    if (dto.workcellId) await this.checkWorkcell(dto.workcellId);
    for (const key of ['name', 'events', 'recipients', 'protocolName', 'workcellId', 'enabled'] as const) {
      if (dto[key] !== undefined) (rule as unknown as Record<string, unknown>)[key] = dto[key];
    }
    try {
      return await this.rules.save(rule);
    } catch (err) {
      rethrowDbConflict(err, `Notification rule ${dto.name ?? rule.name}`);
    }
  }

  /** Deletes the rule; its deliveries stay (with `ruleId` null), pending ones are still sent. */
  async removeRule(id: string): Promise<void> {
    const res = await this.rules.delete({ id });
    if (!res.affected) throw AppException.notFound('Notification rule', id);
  }

  listDeliveries(q: ListNotificationDeliveriesQueryDto): Promise<Page<NotificationDelivery>> {
    noPropertyFilter(q, 'Notification deliveries');
    const qb = this.deliveries.createQueryBuilder('d');
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    if (q.runId) qb.andWhere('d.runId = :runId', { runId: q.runId });
    if (q.ruleId) qb.andWhere('d.ruleId = :ruleId', { ruleId: q.ruleId });
    if (q.event) qb.andWhere('d.event = :event', { event: q.event });
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'nextAttemptAt', 'sentAt', 'attempts'], defaultSort: '-createdAt' });
  }

  async getDelivery(id: string): Promise<NotificationDelivery> {
    const d = await this.deliveries.findOneBy({ id });
    if (!d) throw AppException.notFound('Notification delivery', id);
    return d;
  }

  private async checkWorkcell(id: string): Promise<void> {
    const rows = (await this.db.query('SELECT 1 FROM workcells WHERE id = $1', [id])) as unknown[];
    if (!rows.length) throw AppException.validation([{ field: 'workcellId', message: `workcellId ${id} is not a workcell` }]);
  }
}

/** These records have no JSON `properties` to filter on: `property.*` is refused by name rather than ignored. */
export function noPropertyFilter(q: ListQueryDto, what: string): void {
  if (q.property && Object.keys(q.property).length) {
    throw AppException.validation([{ field: 'property', message: `${what} have no properties to filter on` }]);
  }
}
