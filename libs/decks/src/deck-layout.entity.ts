import { Workcell } from '@praxis/assets';
import { PraxisBaseEntity } from '@praxis/database';
import type { LayoutPlacement } from '@praxis/hardware';
import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { DeckType } from './deck-type.entity.js';

/** Named placements of resources onto a deck type's positions, validated against its geometry. */
@Entity('deck_layouts')
@Index('UQ_deck_layouts_workcell_name', ['workcellId', 'name'], { unique: true })
@Index('UQ_deck_layouts_name_no_workcell', ['name'], { unique: true, where: '"workcellId" IS NULL' })
export class DeckLayout extends PraxisBaseEntity {
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Index('IDX_deck_layouts_deck_type')
  @Column({ type: 'uuid' })
  deckTypeId!: string;

  @ManyToOne(() => DeckType, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'deckTypeId' })
  deckType?: Relation<DeckType>;

  @Column({ type: 'uuid', nullable: true })
  workcellId!: string | null;

  @ManyToOne(() => Workcell, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'workcellId' })
  workcell?: Relation<Workcell>;

  @Column({ type: 'jsonb' })
  placements!: LayoutPlacement[];
}
