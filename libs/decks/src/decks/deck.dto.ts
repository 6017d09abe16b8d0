import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { ListQueryDto } from '@praxis/common';
import type { Deck } from '../deck.entity.js';
import { DISPLAY_NAME, DISPLAY_NAME_MESSAGE, OptionalNotNull } from '../validators.js';

export class CreateDeckDto {
  /** Unique per workcell. */
  @IsString()
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name!: string;

  @IsUUID()
  workcellId!: string;

  @IsUUID()
  deckTypeId!: string;

  /** The machine whose deck this is: same workcell, a definition with this deck type; one deck per machine. */
  @OptionalNotNull()
  @IsUUID()
  machineId?: string;

  /** The layout on it: of the same deck type, and of no workcell or the deck's. */
  @OptionalNotNull()
  @IsUUID()
  layoutId?: string;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class UpdateDeckDto {
  @OptionalNotNull()
  @IsString()
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name?: string;

  /** null detaches the deck from its machine. */
  @IsOptional()
  @IsUUID()
  machineId?: string | null;

  /** null clears the layout. */
  @IsOptional()
  @IsUUID()
  layoutId?: string | null;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ListDecksQueryDto extends ListQueryDto {
  @IsOptional()
  @IsUUID()
  workcellId?: string;

  @IsOptional()
  @IsUUID()
  deckTypeId?: string;

  @IsOptional()
  @IsUUID()
  machineId?: string;
}

export class DeckDto {
  id!: string;
  name!: string;
  workcellId!: string;
  deckTypeId!: string;
  machineId!: string | null;
  layoutId!: string | null;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(d: Deck): DeckDto {
    return {
      id: d.id,
      name: d.name,
      workcellId: d.workcellId,
      deckTypeId: d.deckTypeId,
      machineId: d.machineId,
      layoutId: d.layoutId,
      properties: d.properties,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}

/** The deck's tips and liquids as last saved, over its layout (a display draws it over `GET /deck-layouts/{layoutId}/render`). */
export class DeckStateDto {
  deckId!: string;
  @ApiProperty({ type: String, nullable: true })
  layoutId!: string | null;
  /** When the worker last saved the state (after each run, every 30 s during one); null: never, the layout's own state is shown. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  savedAt!: Date | null;
  /** By resource name: `{ hasTip }` for tip spots, `{ volume }` (µL) for wells and other containers; the shape of `deck.state` events. */
  @ApiProperty({ type: Object, example: { tips_1000_1_A1: { hasTip: true }, source_plate_A1: { volume: 300 } } })
  resources!: Record<string, Record<string, unknown>>;
}

export class DeckPageDto {
  items!: DeckDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
