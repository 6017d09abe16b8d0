import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, ErrorCode, Page } from '@praxis/common';
import { escapeLike, paginate } from '@praxis/database';
import { QueryFailedError, Repository } from 'typeorm';
import type { AuthPrincipal } from '../roles.js';
import { Role } from '../roles.js';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto } from './dto/user.dto.js';
import { hashPassword } from './password.js';
import { User } from './user.entity.js';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async list(query: ListUsersQueryDto): Promise<Page<User>> {
    const qb = this.users.createQueryBuilder('u');
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.search) qb.andWhere('u.username ILIKE :search', { search: `%${escapeLike(query.search)}%` });
    return paginate(qb, query, {
      sortable: ['createdAt', 'updatedAt', 'username', 'role', 'lastLoginAt'],
      defaultSort: 'username',
    });
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw AppException.notFound('User', id);
    return user;
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username: username.trim().toLowerCase() });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async create(dto: CreateUserDto): Promise<User> {
    const user = this.users.create({
      username: dto.username,
      role: dto.role,
      displayName: dto.displayName ?? null,
      email: dto.email ?? null,
      properties: dto.properties ?? {},
      passwordHash: await hashPassword(dto.password),
      credentialsChangedAt: new Date(),
    });
    return this.saveUnique(user);
  }

  async update(id: string, dto: UpdateUserDto, actor: AuthPrincipal): Promise<User> {
    const user = await this.get(id);
    const demotes = dto.role !== undefined && dto.role !== Role.Admin && user.role === Role.Admin;
    const disables = dto.disabled === true && !user.disabled && user.role === Role.Admin;
    if ((demotes || disables) && user.id === actor.userId) {
      throw AppException.conflict('You cannot demote or disable your own account');
    }
    if (demotes || disables) await this.assertAnotherAdmin(user.id);
    if (dto.username !== undefined) user.username = dto.username;
    if (dto.role !== undefined) user.role = dto.role;
    if (dto.displayName !== undefined) user.displayName = dto.displayName;
    if (dto.email !== undefined) user.email = dto.email;
    if (dto.properties !== undefined) user.properties = dto.properties;
    let credentialsChanged = false;
    if (dto.password !== undefined) {
      user.passwordHash = await hashPassword(dto.password);
      credentialsChanged = true;
    }
    if (dto.disabled !== undefined && dto.disabled !== user.disabled) {
      user.disabled = dto.disabled;
      credentialsChanged = credentialsChanged || dto.disabled;
    }
    if (dto.role !== undefined) credentialsChanged = true; // tokens carry the role: re-issue
    if (credentialsChanged) user.credentialsChangedAt = new Date();
    return this.saveUnique(user);
  }

  async remove(id: string, actor: AuthPrincipal): Promise<void> {
    const user = await this.get(id);
    if (user.id === actor.userId) throw AppException.conflict('You cannot delete your own account');
    if (user.role === Role.Admin) await this.assertAnotherAdmin(user.id);
    await this.users.delete({ id: user.id });
  }

  /** Records a successful login. */
  async touchLogin(user: User): Promise<void> {
    await this.users.update({ id: user.id }, { lastLoginAt: new Date() });
  }

  /** Creates or resets the seeded admin. Returns whether the account was created. */
  async ensureAdmin(username: string, password: string | undefined, generate: () => string): Promise<{ created: boolean; password?: string }> {
    const existing = await this.findByUsername(username);
    if (existing) {
      if (password === undefined) return { created: false };
      existing.passwordHash = await hashPassword(password);
      existing.role = Role.Admin;
      existing.disabled = false;
      existing.credentialsChangedAt = new Date();
      await this.users.save(existing);
      return { created: false };
    }
    const pw = password ?? generate();
    try {
      await this.create({ username: username.toLowerCase(), password: pw, role: Role.Admin, displayName: 'Administrator' });
    } catch (err) {
      // Another instance seeded it at the same moment: that account stands.
      if (err instanceof AppException && err.code === ErrorCode.ALREADY_EXISTS) return { created: false };
      throw err;
    }
    return { created: true, password: password === undefined ? pw : undefined };
  }

  private async assertAnotherAdmin(exceptId: string): Promise<void> {
    const others = await this.users
      .createQueryBuilder('u')
      .where('u.role = :role', { role: Role.Admin })
      .andWhere('u.disabled = false')
      .andWhere('u.id <> :id', { id: exceptId })
      .getCount();
    if (others === 0) throw AppException.conflict('Praxis must keep at least one enabled admin');
  }

  private async saveUnique(user: User): Promise<User> {
    try {
      return await this.users.save(user);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new AppException(ErrorCode.ALREADY_EXISTS, `A user named ${user.username} already exists`, { field: 'username' });
      }
      throw err;
    }
  }
}
