import { PraxisBaseEntity } from '@praxis/database';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';

/** Run statuses that can send a notification; a rule names the ones it wants. */
export const NOTIFIED_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted', 'awaiting_input'] as const;
export type NotifiedStatus = (typeof NOTIFIED_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Who gets an email when a run reaches one of the rule's statuses, optionally only for one protocol or workcell. */
@Entity('notification_rules')
export class NotificationRule extends PraxisBaseEntity {
  @Index('IDX_notification_rules_name', { unique: true })
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  /** Run statuses that notify (`completed`, `failed`, `cancelled`, `interrupted`, `awaiting_input`). */
  @Column({ type: 'text', array: true })
  events!: NotifiedStatus[];

  /** Only runs of this protocol (by name: every revision); null for any. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  protocolName!: string | null;

  /** Only runs on this workcell; null for any. */
  @Column({ type: 'uuid', nullable: true })
  workcellId!: string | null;

  @Column({ type: 'text', array: true })
  recipients!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** `user:<name>`. */
  @Column({ type: 'varchar', length: 150 })
  createdBy!: string;
}

/**
 * A run transition the dispatcher has handled (whether or not a rule matched): the exactly-once
 * marker that lets it rescan a safety margin behind its cursor without notifying twice.
 */
@Entity('notified_transitions')
export class NotifiedTransition {
  @PrimaryColumn({ type: 'uuid' })
  transitionId!: string;

  @Column({ type: 'uuid' })
  runId!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  /** When the run changed status (the cursor is the latest of these). */
  @Index('IDX_notified_transitions_at')
  @Column({ type: 'timestamptz' })
  at!: Date;

  /** Deliveries created for it (rules that matched). */
  @Column({ type: 'int' })
  deliveries!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  dispatchedAt!: Date;
}

/** One failed attempt of a delivery. */
export interface DeliveryAttemptError {
  at: string;
  error: string;
}

/** One email for one run event and one rule: what is sent, to whom, and how sending went. */
@Entity('notification_deliveries')
@Index('IDX_notification_deliveries_event_rule', ['transitionId', 'ruleId'], { unique: true })
@Index('IDX_notification_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_notification_deliveries_run', ['runId', 'createdAt'])
@Index('IDX_notification_deliveries_created', ['createdAt'])
export class NotificationDelivery {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  transitionId!: string;

  /** Null once the rule is deleted (the delivery stays as a record). */
  @Column({ type: 'uuid', nullable: true })
  ruleId!: string | null;

  @ManyToOne(() => NotificationRule, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'ruleId' })
  rule?: Relation<NotificationRule> | null;

  @Column({ type: 'uuid' })
  runId!: string;

  /** The run status that triggered it. */
  @Column({ type: 'varchar', length: 20 })
  event!: string;

  @Column({ type: 'text', array: true })
  recipients!: string[];

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** When the next attempt is due (pending only). */
  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  /** Every failed attempt, oldest first. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  attemptErrors!: DeliveryAttemptError[];

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** The Message-ID of the email sent (SMTP) or the outbox file written. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  messageId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
