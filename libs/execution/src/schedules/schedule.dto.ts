import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto, OptionalNotNull, queryBoolean } from '@praxis/common';
import { RunRequestDto } from '../runs/run.dto.js';
import { RunStatus } from '../runs/run-status.js';
import type { Schedule, ScheduleError } from './schedule.entity.js';

const NAME = /^[A-Za-z0-9_.-]{1,150}$/;
const NAME_MESSAGE = 'name must be 1-150 letters, digits, dots, dashes or underscores';

/** A schedule: when (cron, time zone) and what to run (the fields of a run request). */
export class CreateScheduleDto extends RunRequestDto {
  /** Unique, e.g. `nightly_replication`; runs it creates are `createdBy: schedule:<name>`. */
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name!: string;

  /** 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, e.g. `0 9 * * 1-5`. */
  @ApiProperty({ example: '0 9 * * 1-5' })
  @IsString()
  @MaxLength(100)
  cron!: string;

  /** IANA time zone the expression is read in (default `UTC`). */
  @ApiPropertyOptional({ example: 'Europe/Paris', default: 'UTC' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  /** Create it paused (default false). */
  @OptionalNotNull()
  @IsBoolean()
  paused?: boolean;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class UpdateScheduleDto {
  @OptionalNotNull()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional({ example: '*/15 * * * *' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(100)
  cron?: string;

  @ApiPropertyOptional({ example: 'America/New_York' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  /** Another protocol revision; the parameters and assets (given, or else the current ones) are checked against it. */
  @OptionalNotNull()
  @IsUUID()
  protocolId?: string;

  /** Replaces all parameters. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @OptionalNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  /** Replaces all assets given. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', format: 'uuid' } })
  @OptionalNotNull()
  @IsObject()
  assets?: Record<string, string>;

  @OptionalNotNull()
  @IsUUID()
  workcellId?: string;

  @OptionalNotNull()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  /** Pause (no more runs until resumed) or resume. */
  @OptionalNotNull()
  @IsBoolean()
  paused?: boolean;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ListSchedulesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  paused?: boolean;

  /** A protocol definition id. */
  @IsOptional()
  @IsUUID()
  protocolId?: string;

  @IsOptional()
  @IsUUID()
  workcellId?: string;

  /** Case-insensitive substring of the name. */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  search?: string;
}

export class ListScheduleRunsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: RunStatus, enumName: 'RunStatus' })
  @IsOptional()
  @IsEnum(RunStatus)
  status?: RunStatus;
}

export class ScheduleErrorDto {
  /** The error code run creation answered, e.g. `ASSET_UNAVAILABLE` or `VALIDATION_FAILED`. */
  code!: string;
  message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: unknown;
  at!: string;
  fireId!: string;
}

export class ScheduleDto {
  id!: string;
  name!: string;
  cron!: string;
  timezone!: string;
  protocolId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  parameters!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', format: 'uuid' } })
  assets!: Record<string, string>;
  workcellId!: string | null;
  priority!: number;
  paused!: boolean;
  /** The next fire time (from the expression in its time zone); null while paused. */
  nextRunAt!: Date | null;
  /** When the last run was created. */
  lastRunAt!: Date | null;
  lastRunId!: string | null;
  /** Why the last fire created no run; null when it created one. */
  @ApiProperty({ type: ScheduleErrorDto, nullable: true })
  lastError!: ScheduleErrorDto | null;
  createdBy!: string;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(s: Schedule, nextRunAt: Date | null): ScheduleDto {
    return {
      id: s.id,
      name: s.name,
      cron: s.cron,
      timezone: s.timezone,
      protocolId: s.protocolId,
      parameters: s.parameters,
      assets: s.assets,
      workcellId: s.workcellId,
      priority: s.priority,
      paused: s.paused,
      nextRunAt,
      lastRunAt: s.lastRunAt,
      lastRunId: s.lastRunId,
      lastError: s.lastError as ScheduleError | null,
      createdBy: s.createdBy,
      properties: s.properties,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}

export class SchedulePageDto {
  @ApiProperty({ type: [ScheduleDto] })
  items!: ScheduleDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
