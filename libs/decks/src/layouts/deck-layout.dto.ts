import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { ListQueryDto } from '@praxis/common';
import type { LayoutPlacement } from '@praxis/hardware';
import type { DeckLayout } from '../deck-layout.entity.js';
import { DISPLAY_NAME, DISPLAY_NAME_MESSAGE, OptionalNotNull, RESOURCE_NAME } from '../validators.js';

export const MAX_PLACEMENTS = 200;

/**
 * One resource of a layout: a definition placed on the deck (`rails` on a Hamilton deck, `slot`
 * on an OT-2) or on site `site` of a carrier placed in the same layout (`parent`).
 */
export class LayoutPlacementDto implements LayoutPlacement {
  /** Resource name on the deck, unique in the layout: letters, digits, dots, dashes or underscores. */
  @IsString()
  @Matches(RESOURCE_NAME, { message: 'name must be 1-150 letters, digits, dots, dashes or underscores' })
  name!: string;

  /** Resource definition name, e.g. `cor_96_wellplate_360uL_Fb` or `TIP_CAR_480_A00`. */
  @IsString()
  @MaxLength(150)
  definition!: string;

  /** Rail of the left edge (1-based), for carriers on a Hamilton deck. */
  @ApiPropertyOptional({ type: 'integer' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  rails?: number;

  /** Slot (1-12) on an OT-2 deck. */
  @ApiPropertyOptional({ type: 'integer' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  slot?: number;

  /** Name of the carrier placement this one stands on. */
  @OptionalNotNull()
  @IsString()
  @MaxLength(150)
  parent?: string;

  /** Site on the parent carrier (0 = front). */
  @ApiPropertyOptional({ type: 'integer' })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  site?: number;
}

export class CreateDeckLayoutDto {
  /** Unique per workcell (or among layouts of no workcell). */
  @IsString()
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name!: string;

  @IsUUID()
  deckTypeId!: string;

  /** The workcell it belongs to; omitted for a layout any workcell may use. */
  @OptionalNotNull()
  @IsUUID()
  workcellId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** At most 200; checked against the deck type's geometry with the hardware library. */
  @ApiProperty({ type: [LayoutPlacementDto], maxItems: MAX_PLACEMENTS })
  @IsArray()
  @ArrayMaxSize(MAX_PLACEMENTS)
  @ValidateNested({ each: true })
  @Type(() => LayoutPlacementDto)
  placements!: LayoutPlacementDto[];

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class UpdateDeckLayoutDto {
  @OptionalNotNull()
  @IsString()
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name?: string;

  /** null clears it. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** Replaces every placement; checked like on create. */
  @ApiPropertyOptional({ type: [LayoutPlacementDto], maxItems: MAX_PLACEMENTS })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_PLACEMENTS)
  @ValidateNested({ each: true })
  @Type(() => LayoutPlacementDto)
  placements?: LayoutPlacementDto[];

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ListDeckLayoutsQueryDto extends ListQueryDto {
  @IsOptional()
  @IsUUID()
  deckTypeId?: string;

  @IsOptional()
  @IsUUID()
  workcellId?: string;
}

export class DeckLayoutDto {
  id!: string;
  name!: string;
  description!: string | null;
  deckTypeId!: string;
  workcellId!: string | null;
  placements!: LayoutPlacementDto[];
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(l: DeckLayout): DeckLayoutDto {
    return {
      id: l.id,
      name: l.name,
      description: l.description,
      deckTypeId: l.deckTypeId,
      workcellId: l.workcellId,
      placements: l.placements,
      properties: l.properties,
      createdAt: l.createdAt,
      updatedAt: l.updatedAt,
    };
  }
}

export class DeckLayoutPageDto {
  items!: DeckLayoutDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

/** One node of the hardware library's serialized resource tree (`serialize()`); subclasses add fields. */
export class RenderedResourceDto {
  /** Registry type: `HamiltonSTARDeck`, `PlateCarrier`, `Plate`, `Well`, ... */
  type!: string;
  name!: string;
  sizeX!: number;
  sizeY!: number;
  sizeZ!: number;
  /** Relative to the parent's origin (mm); null on the root. */
  @ApiProperty({ type: Object, nullable: true, example: { x: 0, y: 0, z: 0 } })
  location!: { x: number; y: number; z: number } | null;
  @ApiProperty({ type: Object, example: { x: 0, y: 0, z: 0 } })
  rotation!: { x: number; y: number; z: number };
  category!: string;
  @ApiProperty({ type: String, nullable: true })
  model!: string | null;
  @ApiProperty({ type: () => [RenderedResourceDto] })
  children!: RenderedResourceDto[];
  [extra: string]: unknown;
}
