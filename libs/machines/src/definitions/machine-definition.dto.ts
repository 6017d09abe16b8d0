import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import { MACHINE_CATEGORIES, type MachineCategory } from '@praxis/hardware';
import type { MachineDefinition } from '../machine-definition.entity.js';

export const BACKEND_TRANSPORTS = ['none', 'usb', 'serial', 'tcp'] as const;
export type BackendTransport = (typeof BACKEND_TRANSPORTS)[number];

export class ListMachineDefinitionsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: MACHINE_CATEGORIES, enumName: 'MachineCategory' })
  @IsOptional()
  @IsIn(MACHINE_CATEGORIES as unknown as string[])
  category?: MachineCategory;

  /** Exact manufacturer, case-insensitive, e.g. `Hamilton`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  manufacturer?: string;

  @ApiPropertyOptional({ enum: ['catalog', 'custom'] })
  @IsOptional()
  @IsIn(['catalog', 'custom'])
  source?: 'catalog' | 'custom';

  /** Case-insensitive substring of the name or model. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

/** A backend that can drive a kind of machine, with the JSON Schema of its connection config. */
export class BackendDefinitionDto {
  /** Backend id stored on machines, e.g. `simulator`, `hamilton-star-usb`. */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'name must be 1-100 letters, digits, dots, dashes or underscores' })
  name!: string;

  @IsString()
  @MaxLength(2000)
  description!: string;

  @ApiProperty({ enum: BACKEND_TRANSPORTS })
  @IsIn(BACKEND_TRANSPORTS as unknown as string[])
  transport!: BackendTransport;

  /** JSON Schema (draft 2020-12; draft-07 when `$schema` says so) of the connection config: an object schema. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { type: 'object', properties: { port: { type: 'string' } }, required: ['port'] } })
  @IsObject()
  configSchema!: Record<string, unknown>;
}

export class CreateMachineDefinitionDto {
  /** Unique definition name, e.g. `Acme Shaker 3000`. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(150)
  @Matches(/^\S(.*\S)?$/, { message: 'name must not start or end with whitespace' })
  name!: string;

  @ApiProperty({ enum: MACHINE_CATEGORIES, enumName: 'MachineCategory' })
  @IsIn(MACHINE_CATEGORIES as unknown as string[])
  category!: MachineCategory;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  manufacturer!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  model!: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** Deck type of a machine with a deck (one of `/decks/types`), e.g. `STARletDeck`. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  deckType?: string;

  /** At least one backend; names unique within the definition. */
  @ApiProperty({ type: [BackendDefinitionDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => BackendDefinitionDto)
  backends!: BackendDefinitionDto[];

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class MachineDefinitionDto {
  id!: string;
  name!: string;
  @ApiProperty({ enum: MACHINE_CATEGORIES, enumName: 'MachineCategory' })
  category!: MachineCategory;
  manufacturer!: string;
  model!: string;
  description!: string;
  deckType!: string | null;
  @ApiProperty({ type: [BackendDefinitionDto] })
  backends!: BackendDefinitionDto[];
  @ApiProperty({ enum: ['catalog', 'custom'] })
  source!: 'catalog' | 'custom';
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(d: MachineDefinition): MachineDefinitionDto {
    return {
      id: d.id,
      name: d.name,
      category: d.category,
      manufacturer: d.manufacturer,
      model: d.model,
      description: d.description,
      deckType: d.deckType,
      backends: d.backends,
      source: d.source,
      properties: d.properties,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}

export class MachineDefinitionPageDto {
  @ApiProperty({ type: [MachineDefinitionDto] })
  items!: MachineDefinitionDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
