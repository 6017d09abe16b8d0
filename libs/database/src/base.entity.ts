import { BeforeInsert, CreateDateColumn, PrimaryColumn, UpdateDateColumn, Column } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/**
 * Columns every Praxis entity has: a time-ordered UUIDv7 `id` (assigned by the application, so
 * ids sort by creation and can be known before the insert), timestamps and free-form `properties`.
 */
export abstract class PraxisBaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  /** Free-form JSON properties; filterable in lists with `property.<key>=<value>`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  properties!: Record<string, unknown>;

  @BeforeInsert()
  protected assignBaseDefaults(): void {
    if (!this.id) this.id = uuidv7();
    if (!this.properties) this.properties = {};
  }
}

export { uuidv7 };
