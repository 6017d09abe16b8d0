import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ListQueryDto } from '@praxis/common';
import type { DeckType } from '../deck-type.entity.js';
import { OptionalNotNull } from '../validators.js';

export class DeckCoordinateDto {
  x!: number;
  y!: number;
  z!: number;
}

/** A named place on a deck type where a carrier or labware stands. */
export class DeckPositionDto {
  /** `rail 1`..`rail 32`, `slot 1`..`slot 12`. */
  name!: string;
  @ApiProperty({ enum: ['rail', 'slot'] })
  kind!: 'rail' | 'slot';
  /** Rail or slot number (1-based): what a placement's `rails` or `slot` names. */
  index!: number;
  /** Front-left corner in deck coordinates (mm). */
  location!: DeckCoordinateDto;
}

export class DeckTypeDto {
  id!: string;
  /** `STARletDeck`, `STARDeck`, `OT2Deck`, or a custom name. */
  name!: string;
  manufacturer!: string;
  model!: string;
  @ApiProperty({ enum: ['rail', 'slot'] })
  positionKind!: 'rail' | 'slot';
  positions!: DeckPositionDto[];
  /** Outer size (mm). */
  dimensions!: DeckCoordinateDto;
  /** The empty deck as the hardware library serializes it (fixed trash and the like). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  layout!: Record<string, unknown>;
  @ApiProperty({ enum: ['catalog', 'custom'] })
  source!: 'catalog' | 'custom';
  /** The hardware library's deck type whose geometry this one has (its own name for catalog types); null when none matches. */
  @ApiProperty({ type: String, nullable: true })
  basedOn!: string | null;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(t: DeckType, basedOn: string | null): DeckTypeDto {
    return {
      id: t.id,
      name: t.name,
      manufacturer: t.manufacturer,
      model: t.model,
      positionKind: t.positionKind,
      positions: t.positions,
      dimensions: t.dimensions,
      layout: t.layout,
      source: t.source,
      basedOn,
      properties: t.properties,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }
}

export class DeckTypePageDto {
  items!: DeckTypeDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class ListDeckTypesQueryDto extends ListQueryDto {
  /** Exact manufacturer, e.g. `Hamilton`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  manufacturer?: string;

  @ApiPropertyOptional({ enum: ['rail', 'slot'] })
  @IsOptional()
  @IsIn(['rail', 'slot'])
  positionKind?: 'rail' | 'slot';
}

/**
 * A custom deck type: a new name for the geometry of an existing deck type (the hardware library
 * builds only the geometries it knows), e.g. a STARlet deck with a site-specific name.
 */
export class CreateDeckTypeDto {
  /** Unique: letters, digits, dots, dashes or underscores. */
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'name must be 1-100 letters, digits, dots, dashes or underscores' })
  name!: string;

  /** Name of the existing deck type whose geometry (positions, size, fixed trash) this one copies. */
  @IsString()
  @MaxLength(100)
  basedOn!: string;

  /** Defaults to the base type's. */
  @OptionalNotNull()
  @IsString()
  @MaxLength(100)
  manufacturer?: string;

  /** Defaults to the base type's. */
  @OptionalNotNull()
  @IsString()
  @MaxLength(100)
  model?: string;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}
