import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto, OptionalNotNull, queryBoolean } from '@praxis/common';
import type { ProtocolDefinitionEntity } from '../protocol-definition.entity.js';

export class ListProtocolDefinitionsQueryDto extends ListQueryDto {
  /** Exact protocol name. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  /** Definitions carrying this tag. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tag?: string;

  @IsOptional()
  @IsUUID()
  sourceId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  version?: string;

  /** Only what each source holds now (no older revisions). */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  current?: boolean;

  /** Only the latest: per source and name, the current revision of the highest version. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  latest?: boolean;

  /** Case-insensitive substring of the name or description. */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  search?: string;
}

export class AssetRequirementDto {
  @ApiProperty({ enum: ['machine', 'resource'] })
  kind!: 'machine' | 'resource';
  category!: string;
  model?: string;
  optional?: boolean;
  description?: string;
}

export class ProtocolSourceRefDto {
  id!: string;
  name!: string;
  kind!: string;
}

export class ProtocolDefinitionDto {
  id!: string;
  sourceId!: string;
  @ApiProperty({ type: ProtocolSourceRefDto, nullable: true })
  source!: ProtocolSourceRefDto | null;
  name!: string;
  version!: string;
  description!: string | null;
  category!: string | null;
  tags!: string[];
  /** JSON Schema (2020-12) of the parameters, with defaults: enough to render a form. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  parametersSchema!: Record<string, unknown>;
  /** Requirements by name. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/AssetRequirementDto' } })
  assets!: Record<string, AssetRequirementDto>;
  /** `{ kind: 'name', name }` (a stored layout), `{ kind: 'function' }` (built by the protocol) or null. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  deckLayout!: Record<string, unknown> | null;
  setupInstructions!: string[];
  file!: string;
  exportName!: string;
  /** Commit (git sources) or code hash (folders) this revision was found at. */
  revision!: string;
  codeHash!: string;
  /** In the source at its last sync. */
  current!: boolean;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(d: ProtocolDefinitionEntity): ProtocolDefinitionDto {
    return {
      id: d.id,
      sourceId: d.sourceId,
      source: d.source ? { id: d.source.id, name: d.source.name, kind: d.source.kind } : null,
      name: d.name,
      version: d.version,
      description: d.description,
      category: d.category,
      tags: d.tags,
      parametersSchema: d.parametersSchema,
      assets: d.assets,
      deckLayout: d.deckLayout,
      setupInstructions: d.setupInstructions,
      file: d.file,
      exportName: d.exportName,
      revision: d.revision,
      codeHash: d.codeHash,
      current: d.current,
      properties: d.properties,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}

export class ProtocolDefinitionPageDto {
  @ApiProperty({ type: [ProtocolDefinitionDto] })
  items!: ProtocolDefinitionDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class SimulateProtocolDto {
  /** Checked against the definition's parameters schema; defaults fill what is left out. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { volume: 50 } })
  @OptionalNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  /** Requirement → machine or resource id; the rest are matched by category on the deck (resources) or simulated (machines). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', format: 'uuid' } })
  @OptionalNotNull()
  @IsObject()
  assets?: Record<string, string>;

  /** The deck layout to copy; default: the one the protocol names or builds. */
  @OptionalNotNull()
  @IsUUID()
  deckLayoutId?: string;

  /** Liquid to assume loaded: resource name → µL in each of its wells (troughs, tubes). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'number' }, example: { source_plate: 200 } })
  @OptionalNotNull()
  @IsObject()
  liquids?: Record<string, number>;

  /** Stop the simulation after this long (at most the server's PROTOCOL_SIMULATION_TIMEOUT_MS). */
  @OptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(3600000)
  timeoutMs?: number;
}

export class ViolationErrorDto {
  name!: string;
  message!: string;
}

export class ViolationDto {
  /** The innermost step the error went through. */
  step!: string | null;
  stepSeq!: number | null;
  /** `machine.method` of the hardware call that failed. */
  command!: string | null;
  @ApiProperty({ type: ViolationErrorDto })
  error!: ViolationErrorDto;
  resource!: string | null;
  channel!: number | null;
}

export class SimulatedStepDto {
  seq!: number;
  parentSeq!: number | null;
  name!: string;
  status!: string;
  durationMs!: number | null;
  commandCount!: number;
}

export class SimulatedCommandDto {
  seq!: number;
  machine!: string;
  command!: string;
  stepSeq!: number | null;
  ok!: boolean;
}

export class SimulationReportDto {
  passed!: boolean;
  @ApiProperty({ type: [ViolationDto] })
  violations!: ViolationDto[];
  commandCount!: number;
  @ApiProperty({ type: [SimulatedCommandDto] })
  commands!: SimulatedCommandDto[];
  @ApiProperty({ type: [SimulatedStepDto] })
  steps!: SimulatedStepDto[];
  /** From the simulators' time models. */
  estimatedDurationS!: number;
  /** The deck's tip and volume state (by resource name) and the run state at the end. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  finalState!: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  outputs!: Array<Record<string, unknown>>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  logs!: Array<Record<string, unknown>>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  inputs!: Array<Record<string, unknown>>;
  /** Requirement → the machine or resource the simulation used. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  assets!: Record<string, string>;
}
