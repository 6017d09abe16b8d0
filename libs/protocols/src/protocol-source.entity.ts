import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index } from 'typeorm';

export enum ProtocolSourceKind {
  Filesystem = 'filesystem',
  Git = 'git',
}

/** Where protocols come from: a folder on the API host, or a git repository at a ref. */
@Entity('protocol_sources')
export class ProtocolSource extends PraxisBaseEntity {
  @Index('UQ_protocol_sources_name', { unique: true })
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: ProtocolSourceKind;

  /** Folder (filesystem sources), absolute. */
  @Column({ type: 'text', nullable: true })
  path!: string | null;

  /** Repository URL (git sources). */
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /** Branch, tag or commit (git sources). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  ref!: string | null;

  /** Revision of the last successful sync: the commit (git) or a hash of the files' code (filesystem). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  revision!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSyncedAt!: Date | null;

  /** The last sync's report (added, updated, unchanged, removed, errors). */
  @Column({ type: 'jsonb', nullable: true })
  lastSyncReport!: Record<string, unknown> | null;
}
