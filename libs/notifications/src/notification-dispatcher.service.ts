import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '@praxis/config';
import { uuidv7 } from '@praxis/database';
import { DataSource, type EntityManager } from 'typeorm';
import { Mailer } from './mailer.service.js';
import { renderRunEmail, retryDelayMs, type RunEvent } from './notification-message.js';
import { NOTIFIED_STATUSES, type NotificationDelivery, type NotificationRule } from './notification.entity.js';

// Keyed by name (hashtext) rather than a number another feature might also pick.
const DISPATCH_LOCK = 'praxis:notifications:dispatch';
/**
 * How far behind its cursor the dispatcher looks again. Transition ids and times are stamped by
 * the process that makes the change (API or worker) before its transaction commits, so a row can
 * become visible after rows stamped later; the `notified_transitions` markers make the rescan
 * harmless.
 */
const SCAN_MARGIN_MS = 60_000;
const BATCH = 200;
/** A claimed delivery is left alone by other instances this long (longer than the SMTP timeouts). */
const SEND_LEASE_MS = 120_000;
const SEND_BATCH = 20;

/** The smallest UUIDv7 of a millisecond: ids at or after `ms` compare greater or equal (the primary key index serves the scan). */
export function uuidv7Floor(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-0000-0000-000000000000`;
}

export interface DispatchReport {
  /** Transitions handled (each once, ever). */
  events: number;
  /** Deliveries created. */
  deliveries: number;
}

/**
 * Turns run status changes into emails without ever touching the run path: it reads
 * `run_transitions` (written by whoever changed the status), matches the rules, records one
 * delivery per (transition, rule) — a unique key, so N API instances notify once — and sends
 * due deliveries with retries and exponential backoff. Dispatch runs in one instance at a time
 * (advisory lock, like run recovery); sending is shared by claiming rows with a lease.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly mailer: Mailer,
  ) {}

  onApplicationBootstrap(): void {
    this.logger.log({ transport: this.mailer.kind, ...(this.mailer.kind === 'outbox' ? { outbox: this.mailer.outboxDir } : {}) }, 'notifications ready');
    this.timer = setInterval(() => void this.tick(), this.config.notifications.intervalMs);
    this.timer.unref();
  }

  /** Lets a pass in flight finish before the database goes away (a send in progress is not cut off). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** One dispatch pass and one sending pass; never throws (a failure is logged and retried next tick). */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        await this.dispatch().catch((err: Error) => this.logger.warn({ err: err.message }, 'notification dispatch failed'));
        await this.sendDue().catch((err: Error) => this.logger.warn({ err: err.message }, 'notification sending failed'));
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  /** Records deliveries for the run events not handled yet. Skips (zero report) when another instance holds the lock. */
  async dispatch(): Promise<DispatchReport> {
    const report: DispatchReport = { events: 0, deliveries: 0 };
    const qr = this.db.createQueryRunner();
    try {
      await qr.connect();
      const [{ locked }] = (await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [DISPATCH_LOCK])) as Array<{ locked: boolean }>;
      if (!locked) return report;
      try {
        for (;;) {
          const events = await this.pendingEvents();
          for (const e of events) {
            const created = await this.db.transaction((em) => this.handle(em, e));
            if (created === undefined) continue;
            report.events++;
            report.deliveries += created;
          }
          if (events.length < BATCH) break;
        }
      } finally {
        await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [DISPATCH_LOCK]);
      }
      return report;
    } finally {
      await qr.release();
    }
  }

  private async pendingEvents(): Promise<RunEvent[]> {
    const [{ cursor }] = (await this.db.query(`SELECT max("at") AS cursor FROM notified_transitions`)) as Array<{ cursor: Date | null }>;
    // With nothing handled yet (a new installation), older history is not notified.
    const from = (cursor ? cursor.getTime() : Date.now()) - SCAN_MARGIN_MS;
    return (await this.db.query(
      `SELECT t.id AS "transitionId", t."runId", t."from", t."to", t.actor, t.reason, t.at,
              r."protocolId", r."protocolName", r."protocolVersion", r."workcellId", r.error, r."createdBy", w.name AS "workcellName"
         FROM run_transitions t
         JOIN runs r ON r.id = t."runId"
         LEFT JOIN workcells w ON w.id = r."workcellId"
        WHERE t.id >= $1 AND t."to" = ANY($2::text[])
          AND NOT EXISTS (SELECT 1 FROM notified_transitions n WHERE n."transitionId" = t.id)
        ORDER BY t.id
        LIMIT ${BATCH}`,
      [uuidv7Floor(from), NOTIFIED_STATUSES],
    )) as RunEvent[];
  }

  /** Marks the event handled and records its deliveries, in one transaction; undefined when it was handled already. */
  private async handle(em: EntityManager, e: RunEvent): Promise<number | undefined> {
    const rules = (await em.query(
      `SELECT id, name, recipients FROM notification_rules
        WHERE enabled AND $1 = ANY(events)
          AND ("protocolName" IS NULL OR "protocolName" = $2)
          AND ("workcellId" IS NULL OR "workcellId" = $3)
        ORDER BY id`,
      [e.to, e.protocolName, e.workcellId],
    )) as Array<Pick<NotificationRule, 'id' | 'name' | 'recipients'>>;
    const marked = (await em.query(
      `INSERT INTO notified_transitions ("transitionId", "runId", status, at, deliveries) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING "transitionId"`,
      [e.transitionId, e.runId, e.to, e.at, rules.length],
    )) as unknown[];
    if (!marked.length) return undefined;
    let created = 0;
    for (const rule of rules) {
      const mail = renderRunEmail(e, rule, this.config.publicUrl);
      const rows = (await em.query(
        `INSERT INTO notification_deliveries (id, "transitionId", "ruleId", "runId", event, recipients, subject, body, status, attempts, "nextAttemptAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, now())
         ON CONFLICT ("transitionId", "ruleId") DO NOTHING RETURNING id`,
        [uuidv7(), e.transitionId, rule.id, e.runId, e.to, rule.recipients, mail.subject, mail.text],
      )) as unknown[];
      created += rows.length;
    }
    if (created) this.logger.log({ runId: e.runId, status: e.to, deliveries: created }, 'notifications queued');
    return created;
  }

  /** Sends the deliveries that are due; answers how many it tried. */
  async sendDue(): Promise<number> {
    // Claimed with a lease (skipping rows another instance holds), so a delivery is sent by one
    // instance at a time; one whose sender died is tried again when its lease runs out.
    const claimed = (await this.db.query(
      `UPDATE notification_deliveries SET "nextAttemptAt" = now() + make_interval(secs => $1), "updatedAt" = now()
        WHERE id IN (SELECT id FROM notification_deliveries
                      WHERE status = 'pending' AND "nextAttemptAt" <= now()
                      ORDER BY "nextAttemptAt" LIMIT ${SEND_BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, recipients, subject, body, attempts`,
      [SEND_LEASE_MS / 1000],
    )) as [Array<Pick<NotificationDelivery, 'id' | 'recipients' | 'subject' | 'body' | 'attempts'>>, number];
    const rows = claimed[0];
    await Promise.all(rows.map((d) => this.attempt(d)));
    return rows.length;
  }

  private async attempt(d: Pick<NotificationDelivery, 'id' | 'recipients' | 'subject' | 'body' | 'attempts'>): Promise<void> {
    const attempts = d.attempts + 1;
    try {
      const messageId = await this.mailer.send({ to: d.recipients, subject: d.subject, text: d.body, deliveryId: d.id });
      await this.db.query(
        `UPDATE notification_deliveries SET status = 'sent', attempts = $2, "sentAt" = now(), "messageId" = $3, "nextAttemptAt" = NULL, "updatedAt" = now() WHERE id = $1`,
        [d.id, attempts, messageId.slice(0, 500)],
      );
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const { maxAttempts, retryBaseMs, retryMaxMs } = this.config.mail;
      const giveUp = attempts >= maxAttempts;
      const delay = retryDelayMs(attempts, retryBaseMs, retryMaxMs);
      await this.db.query(
        `UPDATE notification_deliveries
            SET status = $3::varchar, attempts = $2, "lastError" = $4,
                "attemptErrors" = "attemptErrors" || jsonb_build_array(jsonb_build_object('at', now(), 'error', $4::text)),
                "nextAttemptAt" = CASE WHEN $3::varchar = 'failed' THEN NULL ELSE now() + make_interval(secs => $5) END,
                "updatedAt" = now()
          WHERE id = $1`,
        [d.id, attempts, giveUp ? 'failed' : 'pending', message, delay / 1000],
      );
      this.logger.warn({ deliveryId: d.id, attempts, err: message, ...(giveUp ? {} : { retryInMs: delay }) }, giveUp ? 'notification email given up' : 'notification email failed; will retry');
    }
  }
}
