import { Workcell } from '@praxis/assets';
import { PraxisBaseEntity } from '@praxis/database';
import { Machine } from '@praxis/machines';
import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { DeckLayout } from './deck-layout.entity.js';
import { DeckType } from './deck-type.entity.js';

/** A machine's deck: its type and the layout currently on it. */
@Entity('decks')
@Index('UQ_decks_workcell_name', ['workcellId', 'name'], { unique: true })
export class Deck extends PraxisBaseEntity {
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  @Column({ type: 'uuid' })
  workcellId!: string;

  @ManyToOne(() => Workcell, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'workcellId' })
  workcell?: Relation<Workcell>;

  /** The machine this deck belongs to (one deck per machine). */
  @Index('UQ_decks_machine', { unique: true })
  @Column({ type: 'uuid', nullable: true })
  machineId!: string | null;

  @ManyToOne(() => Machine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'machineId' })
  machine?: Relation<Machine>;

  @Column({ type: 'uuid' })
  deckTypeId!: string;

  @ManyToOne(() => DeckType, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'deckTypeId' })
  deckType?: Relation<DeckType>;

  @Column({ type: 'uuid', nullable: true })
  layoutId!: string | null;

  /** Last known tip and volume state of the deck (by resource name), saved by the worker after each run. */
  @Column({ type: 'jsonb', nullable: true })
  state!: Record<string, unknown> | null;

  @ManyToOne(() => DeckLayout, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'layoutId' })
  layout?: Relation<DeckLayout>;
}
