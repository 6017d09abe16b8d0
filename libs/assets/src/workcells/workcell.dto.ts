import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import type { Workcell } from './workcell.entity.js';

export class CreateWorkcellDto {
  /** 1-100 characters: letters, digits, space, dot, dash, underscore. */
  @IsString()
  @Matches(/^[\w .-]{1,100}$/, { message: 'name must be 1-100 letters, digits, spaces, dots, dashes or underscores' })
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  location?: string;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

/** Every field optional; `null` clears description and location only. */
export class UpdateWorkcellDto {
  @OptionalNotNull()
  @IsString()
  @Matches(/^[\w .-]{1,100}$/, { message: 'name must be 1-100 letters, digits, spaces, dots, dashes or underscores' })
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  location?: string | null;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ListWorkcellsQueryDto extends ListQueryDto {
  /** Case-insensitive substring of the name. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

export class WorkcellDto {
  id!: string;
  name!: string;
  description!: string | null;
  location!: string | null;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(w: Workcell): WorkcellDto {
    return { id: w.id, name: w.name, description: w.description, location: w.location, properties: w.properties, createdAt: w.createdAt, updatedAt: w.updatedAt };
  }
}

export class WorkcellPageDto {
  items!: WorkcellDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
