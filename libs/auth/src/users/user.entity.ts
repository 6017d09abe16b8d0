import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index } from 'typeorm';
import { Role } from '../roles.js';

@Entity('users')
export class User extends PraxisBaseEntity {
  /** Login name, stored lower-case, unique. */
  @Index('UQ_users_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ type: 'enum', enum: Role, enumName: 'user_role', default: Role.Viewer })
  role!: Role;

  @Column({ type: 'varchar', length: 300 })
  passwordHash!: string;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Tokens issued before this instant are no longer accepted (password change, disable). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  credentialsChangedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;
}
