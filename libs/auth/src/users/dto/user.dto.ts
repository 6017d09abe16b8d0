import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsEnum, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import { Role } from '../../roles.js';
import type { User } from '../user.entity.js';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateUserDto {
  /** 3-64 characters: letters, digits, dot, dash, underscore; stored lower-case. */
  @Transform(lower)
  @IsString()
  @Matches(/^[a-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, dot, dash or underscore' })
  username!: string;

  /** At least 8 characters. */
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  @IsEnum(Role)
  role!: Role;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;

  @IsOptional()
  @IsEmail({ require_tld: false })
  @MaxLength(320)
  email?: string;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

/** Every field optional; `null` clears displayName and email only. */
export class UpdateUserDto {
  @OptionalNotNull()
  @Transform(lower)
  @IsString()
  @Matches(/^[a-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, dot, dash or underscore' })
  username?: string;

  @OptionalNotNull()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @OptionalNotNull()
  @IsEnum(Role)
  role?: Role;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string | null;

  @IsOptional()
  @IsEmail({ require_tld: false })
  @MaxLength(320)
  email?: string | null;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;

  /** A disabled user cannot log in, and their tokens stop working at once. */
  @OptionalNotNull()
  @IsBoolean()
  disabled?: boolean;
}

export class ListUsersQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  /** Case-insensitive substring of the username. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  search?: string;
}

export class UserDto {
  id!: string;
  username!: string;
  displayName!: string | null;
  email!: string | null;
  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;
  disabled!: boolean;
  lastLoginAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
  properties!: Record<string, unknown>;

  static from(u: User): UserDto {
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      email: u.email,
      role: u.role,
      disabled: u.disabled,
      lastLoginAt: u.lastLoginAt,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
      properties: u.properties,
    };
  }
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  items!: UserDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
