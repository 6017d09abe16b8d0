import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { ListQueryDto, OptionalNotNull, queryBoolean } from '@praxis/common';
import type { ResourceDefinition } from './resource-definition.entity.js';

export const RESOURCE_CATEGORIES = [
  'plate',
  'tip_rack',
  'carrier',
  'tip_carrier',
  'plate_carrier',
  'trough',
  'trough_carrier',
  'tube_rack',
  'tube',
  'lid',
  'trash',
  'deck',
  'other',
] as const;


/** Filters shared by the definitions list and its facets. */
export class DefinitionFiltersDto extends ListQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(50)
  category?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  vendor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  itemCount?: number;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  plateType?: string;

  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  wellVolumeUl?: number;

  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  tipVolumeUl?: number;

  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  consumable?: boolean;

  /** Case-insensitive substring of the name or description. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

export class DimensionsDto {
  @IsNumber()
  @Min(0)
  x!: number;
  @IsNumber()
  @Min(0)
  y!: number;
  @IsNumber()
  @Min(0)
  z!: number;
}

export class CreateResourceDefinitionDto {
  /** Unique definition name: letters, digits, dot, dash, underscore. */
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,150}$/, { message: 'name must be 1-150 letters, digits, dots, dashes or underscores' })
  name!: string;

  @ApiProperty({ enum: RESOURCE_CATEGORIES })
  @IsIn(RESOURCE_CATEGORIES as unknown as string[])
  category!: string;

  @IsString()
  @MaxLength(100)
  vendor!: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  plateType?: string;

  @IsOptional()
  @IsNumber()
  @Min(0)
  wellVolumeUl?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  tipVolumeUl?: number;

  @OptionalNotNull()
  @IsBoolean()
  consumable?: boolean;

  /** The hardware library's serialized resource (`serialize()`): its root gives size and item count. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  layout!: Record<string, unknown>;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ResourceDefinitionDto {
  id!: string;
  name!: string;
  category!: string;
  vendor!: string;
  model!: string | null;
  description!: string;
  itemCount!: number;
  plateType!: string | null;
  wellVolumeUl!: number | null;
  tipVolumeUl!: number | null;
  @ValidateNested()
  dimensions!: DimensionsDto;
  consumable!: boolean;
  @ApiProperty({ enum: ['catalog', 'custom'] })
  source!: 'catalog' | 'custom';
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Only with ?includeLayout=true on get' })
  layout?: Record<string, unknown>;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(d: ResourceDefinition, withLayout = false): ResourceDefinitionDto {
    const { layout, ...rest } = d;
    return { ...rest, ...(withLayout ? { layout } : {}) } as ResourceDefinitionDto;
  }
}

export class ResourceDefinitionPageDto {
  items!: ResourceDefinitionDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class FacetCountDto {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true })
  value!: string | number | null;
  count!: number;
}

/** Value counts per facet; each facet ignores its own filter. */
export class DefinitionFacetsDto {
  category!: FacetCountDto[];
  vendor!: FacetCountDto[];
  itemCount!: FacetCountDto[];
  plateType!: FacetCountDto[];
  wellVolumeUl!: FacetCountDto[];
  tipVolumeUl!: FacetCountDto[];
}

export class GetDefinitionQueryDto {
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  includeLayout?: boolean;
}
