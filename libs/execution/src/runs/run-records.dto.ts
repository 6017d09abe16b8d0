import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto, MAX_OFFSET } from '@praxis/common';

export class RunCallDto {
  seq!: number;
  parentSeq!: number | null;
  /** Nesting depth: 0 for the protocol's own call. */
  depth!: number;
  name!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed', 'cancelled'] })
  status!: string;
  @ApiProperty({ type: 'array', items: {} })
  args!: unknown;
  @ApiProperty({ nullable: true })
  result!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  error!: { name: string; message: string } | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  stateDiff!: Record<string, unknown> | null;
  startedAt!: Date;
  endedAt!: Date | null;
  durationMs!: number | null;
}

export class RunCommandDto {
  seq!: number;
  stepSeq!: number | null;
  machineId!: string | null;
  machine!: string;
  command!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  args!: unknown;
  @ApiProperty({ nullable: true })
  result!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  error!: { name: string; message: string; channels?: number[] } | null;
  durationMs!: number;
  startedAt!: Date;
  at!: Date;
}

export class RunCommandsQueryDto {
  /** Commands after this sequence number (the `nextCursor` of the previous page). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  after?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

export class RunCommandPageDto {
  @ApiProperty({ type: [RunCommandDto] })
  items!: RunCommandDto[];
  /** Pass as `after` for the next page; null at the end (so far). */
  nextCursor!: number | null;
}

export class RunOutputDto {
  id!: string;
  runId!: string;
  protocolName!: string;
  name!: string;
  type!: string;
  @ApiProperty()
  value!: unknown;
  resource!: string | null;
  stepSeq!: number | null;
  at!: Date;
}

export class ListOutputsQueryDto extends ListQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;

  @IsOptional()
  @IsUUID()
  runId?: string;

  /** Protocol name. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  protocol?: string;

  /** Resource name the output is about. */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  resource?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class RunOutputPageDto {
  @ApiProperty({ type: [RunOutputDto] })
  items!: RunOutputDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class RunInputDto {
  /** The answer, checked against the pending prompt's fields. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { confirmed: true } })
  @IsObject()
  values!: Record<string, unknown>;
}

export class ReservationDto {
  assetId!: string;
  @ApiProperty({ enum: ['machine', 'resource'] })
  assetKind!: string;
  assetName!: string;
  runId!: string;
  acquiredAt!: Date;
  /** Milliseconds left on its lock (null: the lock is gone). */
  lockTtlMs!: number | null;
}

export class ForceQueryDto {
  @ApiPropertyOptional({ description: 'Must be true: releasing a held asset under a live run is an override' })
  @IsOptional()
  @IsString()
  force?: string;
}
