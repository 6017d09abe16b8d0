import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsObject, IsOptional, Matches, Max, Min } from 'class-validator';

/** Largest `offset` (and cursor) a list accepts: PostgreSQL's int4. */
export const MAX_OFFSET = 2_147_483_647;

/** The list conventions shared by every collection endpoint. */
export class ListQueryDto {
  /** Page size (1-1000). */
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 50;

  /** Items to skip. */
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // A bound, so that a huge number is a 400 rather than the database's "bigint out of range".
  @Max(MAX_OFFSET)
  offset: number = 0;

  /** `field` ascending or `-field` descending. */
  @ApiPropertyOptional({ example: '-createdAt' })
  @IsOptional()
  @Matches(/^-?[a-zA-Z][a-zA-Z0-9]*$/, { message: 'sort must be a field name, optionally prefixed with -' })
  sort?: string;

  /** Only items created at or after this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString()
  createdFrom?: string;

  /** Only items created before this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString()
  createdTo?: string;

  /**
   * JSONB property filters: `property.<key>=<value>` (nested keys with more dots,
   * e.g. `property.site.room=B12`). Values compare as text.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { room: 'B12' } })
  @IsOptional()
  @IsObject()
  property?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
