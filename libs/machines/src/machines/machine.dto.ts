import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import { MACHINE_CATEGORIES, type MachineCategory } from '@praxis/hardware';
import { type Machine, MachineStatus } from '../machine.entity.js';

const NAME = /^[A-Za-z0-9_.-]{1,150}$/;
const NAME_MESSAGE = 'name must be 1-150 letters, digits, dots, dashes or underscores';
const BACKEND = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const BACKEND_MESSAGE = 'backend must be a backend name of the definition, e.g. simulator';

export class CreateMachineDto {
  /** Unique per workcell, e.g. `starlet`. */
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name!: string;

  @IsUUID()
  workcellId!: string;

  /** The machine definition (kind); see `/machines/definitions`. */
  @IsUUID()
  definitionId!: string;

  /** One of the definition's backends, e.g. `simulator`. */
  @IsString()
  @Matches(BACKEND, { message: BACKEND_MESSAGE })
  backend!: string;

  /** Validated against the backend's config schema; its defaults are filled in. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { port: '/dev/ttyUSB0' } })
  @OptionalNotNull()
  @IsObject()
  connectionConfig?: Record<string, unknown>;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class UpdateMachineDto {
  @OptionalNotNull()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;

  /** Another backend of the definition; the config (given, or else the current one) is checked against it. */
  @OptionalNotNull()
  @IsString()
  @Matches(BACKEND, { message: BACKEND_MESSAGE })
  backend?: string;

  /** Replaces the whole config; validated against the (new) backend's schema. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @OptionalNotNull()
  @IsObject()
  connectionConfig?: Record<string, unknown>;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class SetMachineStatusDto {
  /** An operator-driven status: `available`, `maintenance` or `offline`. */
  @ApiProperty({ enum: MachineStatus, enumName: 'MachineStatus' })
  @IsEnum(MachineStatus)
  status!: MachineStatus;

  /** Why, e.g. `calibration due`. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ListMachinesQueryDto extends ListQueryDto {
  @IsOptional()
  @IsUUID()
  workcellId?: string;

  @ApiPropertyOptional({ enum: MACHINE_CATEGORIES, enumName: 'MachineCategory' })
  @IsOptional()
  @IsIn(MACHINE_CATEGORIES as unknown as string[])
  category?: MachineCategory;

  @ApiPropertyOptional({ enum: MachineStatus, enumName: 'MachineStatus' })
  @IsOptional()
  @IsEnum(MachineStatus)
  status?: MachineStatus;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  backend?: string;

  @IsOptional()
  @IsUUID()
  definitionId?: string;

  /** Case-insensitive substring of the name. */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  search?: string;
}

/** The definition of a machine, in short. */
export class MachineDefinitionRefDto {
  id!: string;
  name!: string;
  @ApiProperty({ enum: MACHINE_CATEGORIES, enumName: 'MachineCategory' })
  category!: MachineCategory;
}

export class MachineDto {
  id!: string;
  name!: string;
  workcellId!: string;
  definitionId!: string;
  @ApiProperty({ type: MachineDefinitionRefDto, nullable: true })
  definition!: MachineDefinitionRefDto | null;
  @ApiProperty({ enum: MACHINE_CATEGORIES, enumName: 'MachineCategory' })
  category!: string;
  backend!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  connectionConfig!: Record<string, unknown>;
  @ApiProperty({ enum: MachineStatus, enumName: 'MachineStatus' })
  status!: MachineStatus;
  statusReason!: string | null;
  /** The run using the machine; set only by the execution engine. */
  currentRunId!: string | null;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(m: Machine): MachineDto {
    return {
      id: m.id,
      name: m.name,
      workcellId: m.workcellId,
      definitionId: m.definitionId,
      definition: m.definition ? { id: m.definition.id, name: m.definition.name, category: m.definition.category } : null,
      category: m.category,
      backend: m.backend,
      connectionConfig: m.connectionConfig,
      status: m.status,
      statusReason: m.statusReason,
      currentRunId: m.currentRunId,
      properties: m.properties,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  }
}

export class MachinePageDto {
  @ApiProperty({ type: [MachineDto] })
  items!: MachineDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
