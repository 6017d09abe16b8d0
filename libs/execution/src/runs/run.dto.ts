import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import type { PendingInput, Run, RunAsset } from './run.entity.js';
import { RunStatus } from './run-status.js';

/** What a run is: the protocol revision, its parameters and assets, where, and how urgent. Runs and schedules take it. */
export class RunRequestDto {
  /** The protocol definition revision to run (see `/protocols/definitions`). */
  @IsUUID()
  protocolId!: string;

  /** Checked against the definition's parameters schema; defaults fill what is left out. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { volume: 50 } })
  @OptionalNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  /** Requirement → machine or resource id; requirements left out are matched by category (and model) among the workcell's assets. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', format: 'uuid' } })
  @OptionalNotNull()
  @IsObject()
  assets?: Record<string, string>;

  /** Where to run; may be left out when the assets given, or a single workcell, decide it. */
  @OptionalNotNull()
  @IsUUID()
  workcellId?: string;

  /** Higher goes first among runs waiting for the same assets (default 0). */
  @OptionalNotNull()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;
}

export class CreateRunDto extends RunRequestDto {
  /** Start no earlier than this (ISO 8601); the run is `scheduled` until then. */
  @OptionalNotNull()
  @Type(() => Date)
  @IsDate()
  scheduledAt?: Date;
}

export class ListRunsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: RunStatus, enumName: 'RunStatus' })
  @IsOptional()
  @IsEnum(RunStatus)
  status?: RunStatus;

  /** A protocol definition id. */
  @IsOptional()
  @IsUUID()
  protocolId?: string;

  /** A protocol name (any revision). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  protocolName?: string;

  @IsOptional()
  @IsUUID()
  workcellId?: string;

  /** Runs a schedule created. */
  @IsOptional()
  @IsUUID()
  scheduleId?: string;
}

export class RunActionDto {
  /** `restart` (of an interrupted, failed or cancelled run) starts a new run that carries the old one's state over. */
  @ApiProperty({ enum: ['pause', 'resume', 'cancel', 'restart'] })
  @IsIn(['pause', 'resume', 'cancel', 'restart'])
  action!: 'pause' | 'resume' | 'cancel' | 'restart';

  /** restart: the last step of the old run to count as done (a completed top-level step's seq; default: the last one). */
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  fromStep?: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

/** Body of pause, resume and cancel: why, for the transition log (optional). */
export class RunControlDto {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

/** Body of restart (optional). */
export class RestartRunDto extends RunControlDto {
  /** The last step of the old run to count as done (a completed top-level step's seq; default: the last one). */
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  fromStep?: number;
}

export class RunAssetDto {
  @ApiProperty({ enum: ['machine', 'resource'] })
  kind!: 'machine' | 'resource';
  id!: string;
  name!: string;
  category!: string;
}

export class PendingInputDto {
  id!: string;
  prompt!: string;
  /** JSON Schema of the fields: what a client renders as a form. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  fieldsSchema!: Record<string, unknown>;
  stepSeq!: number | null;
  requestedAt!: string;
  timeoutMs?: number;
}

export class RunErrorDto {
  name!: string;
  message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  step?: { seq: number; name: string } | null;
}

export class RunOutputsSummaryDto {
  count!: number;
  /** Output names with how many times each was recorded. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' } })
  names!: Record<string, number>;
}

export class RunDto {
  id!: string;
  protocolId!: string;
  protocolName!: string;
  protocolVersion!: string;
  workcellId!: string;
  @ApiProperty({ enum: RunStatus, enumName: 'RunStatus' })
  status!: RunStatus;
  priority!: number;
  @ApiProperty({ type: 'object', additionalProperties: true })
  parameters!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/RunAssetDto' } })
  assets!: Record<string, RunAsset>;
  deckLayoutId!: string | null;
  scheduledAt!: Date | null;
  startedAt!: Date | null;
  endedAt!: Date | null;
  @ApiProperty({ type: RunErrorDto, nullable: true })
  error!: RunErrorDto | null;
  @ApiProperty({ type: PendingInputDto, nullable: true })
  pendingInput!: PendingInput | null;
  @ApiProperty({ nullable: true })
  result!: unknown;
  createdBy!: string;
  /** The schedule that created the run, if one did. */
  scheduleId!: string | null;
  /** The worker executing it, or that last did (`host:pid`). */
  workerId!: string | null;
  /** The request id (X-Request-Id) of the call that created the run; its log lines carry it as `traceId`. */
  traceId!: string | null;
  /** The run's data outputs in short (single-run reads only; see `/runs/{id}/outputs`). */
  @ApiPropertyOptional({ type: RunOutputsSummaryDto })
  outputs?: RunOutputsSummaryDto;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(r: Run, outputs?: RunOutputsSummaryDto): RunDto {
    return {
      id: r.id,
      protocolId: r.protocolId,
      protocolName: r.protocolName,
      protocolVersion: r.protocolVersion,
      workcellId: r.workcellId,
      status: r.status,
      priority: r.priority,
      parameters: r.parameters,
      assets: r.assets,
      deckLayoutId: r.deckLayoutId,
      scheduledAt: r.scheduledAt,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      error: r.error,
      pendingInput: r.pendingInput,
      result: r.result ?? null,
      createdBy: r.createdBy,
      scheduleId: r.scheduleId ?? null,
      workerId: r.workerId,
      traceId: r.traceId ?? null,
      ...(outputs ? { outputs } : {}),
      properties: r.properties,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }
}

export class RunPageDto {
  @ApiProperty({ type: [RunDto] })
  items!: RunDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class RunTransitionDto {
  @ApiProperty({ enum: RunStatus, enumName: 'RunStatus', nullable: true })
  from!: RunStatus | null;
  @ApiProperty({ enum: RunStatus, enumName: 'RunStatus' })
  to!: RunStatus;
  actor!: string;
  reason!: string | null;
  at!: Date;
}
