import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One state-changing request: who, when, what (method, route, target), and how it ended. Append-only. */
@Entity('audit_entries')
@Index('IDX_audit_entries_created', ['createdAt'])
@Index('IDX_audit_entries_actor_created', ['actorId', 'createdAt'])
@Index('IDX_audit_entries_target_created', ['targetType', 'targetId', 'createdAt'])
export class AuditEntry {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** When the request arrived. */
  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  /** The local user id, or the subject of an external (OIDC) token. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 150, nullable: true })
  actorUsername!: string | null;

  /** The actor's highest role at the time. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  actorRole!: string | null;

  @Column({ type: 'varchar', length: 10 })
  method!: string;

  /** The route pattern, e.g. `/api/v1/runs/:id/actions`. */
  @Column({ type: 'varchar', length: 300 })
  route!: string;

  /** The path requested (no query string). */
  @Column({ type: 'varchar', length: 1000 })
  path!: string;

  /** The collection acted on, from the route: `runs`, `protocols/sources`, `users`… */
  @Column({ type: 'varchar', length: 100, nullable: true })
  targetType!: string | null;

  /** The id in the path, or the id of what the request created. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  targetId!: string | null;

  /** HTTP status answered. */
  @Column({ type: 'int' })
  status!: number;

  /** `success` (status below 400) or `failure`. */
  @Column({ type: 'varchar', length: 10 })
  outcome!: 'success' | 'failure';

  /** The error envelope's code, for failures. */
  @Column({ type: 'varchar', length: 50, nullable: true })
  errorCode!: string | null;

  /** The request id: `X-Request-Id` and the error envelope's `traceId`. */
  @Column({ type: 'varchar', length: 128 })
  requestId!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  ip!: string | null;

  /** The request body, redacted and bounded (no secrets). */
  @Column({ type: 'jsonb', nullable: true })
  summary!: Record<string, unknown> | null;
}
