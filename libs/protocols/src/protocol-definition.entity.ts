import { PraxisBaseEntity } from '@praxis/database';
import type { AssetRequirement } from '@praxis/protocol';
import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { ProtocolSource } from './protocol-source.entity.js';

/**
 * One revision of a protocol: (source, name, version, code). The compiled code is kept with it,
 * so a run pinned to this row executes exactly this code, whatever the source holds later.
 */
@Entity('protocol_definitions')
@Index('UQ_protocol_definitions_revision', ['sourceId', 'name', 'version', 'codeHash'], { unique: true })
@Index('IDX_protocol_definitions_name', ['name', 'createdAt'])
export class ProtocolDefinitionEntity extends PraxisBaseEntity {
  @Index('IDX_protocol_definitions_source')
  @Column({ type: 'uuid' })
  sourceId!: string;

  @ManyToOne(() => ProtocolSource, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sourceId' })
  source?: Relation<ProtocolSource>;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  category!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  /** JSON Schema of the parameters (input side: defaults shown, what a form needs). */
  @Column({ type: 'jsonb' })
  parametersSchema!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  assets!: Record<string, AssetRequirement>;

  /** `{ kind: 'name', name }`, `{ kind: 'function' }` or null. */
  @Column({ type: 'jsonb', nullable: true })
  deckLayout!: { kind: 'name'; name: string } | { kind: 'function' } | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  setupInstructions!: string[];

  /** Path of the file in the source. */
  @Column({ type: 'text' })
  file!: string;

  /** The export holding the definition (`default` for `export default`). */
  @Column({ type: 'varchar', length: 200 })
  exportName!: string;

  /** The source revision it was first found at: a git commit, or the code hash for folders. */
  @Column({ type: 'varchar', length: 64 })
  revision!: string;

  /** sha256 of the compiled code. */
  @Column({ type: 'varchar', length: 64 })
  codeHash!: string;

  /** The compiled module (ES module, with an inline source map). */
  @Column({ type: 'text', select: false })
  code!: string;

  /** Present in the source at its last sync (older revisions stay for the runs that pinned them). */
  @Column({ type: 'boolean', default: true })
  current!: boolean;
}
