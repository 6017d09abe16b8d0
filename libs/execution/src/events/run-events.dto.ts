import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const RUN_EVENT_TYPES = ['run.status', 'run.step', 'run.command', 'run.log', 'run.input_required', 'run.output', 'deck.state'] as const;

export class RunEventsQueryDto {
  /** Events with a seq above this one (0, the default: from the first). */
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterSeq?: number;

  /** Page size (1-1000). */
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 50;

  /** Items to skip. */
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;

  /** Only events of this type. */
  @ApiPropertyOptional({ enum: RUN_EVENT_TYPES })
  @IsOptional()
  @IsIn(RUN_EVENT_TYPES)
  type?: string;
}

export class RunEventDto {
  /** 1, 2, 3... per run, in the order the events were committed. */
  seq!: number;
  runId!: string;
  @ApiProperty({ enum: RUN_EVENT_TYPES })
  type!: string;
  /** When it happened (ISO 8601). */
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  payload!: Record<string, unknown>;
}

export class RunEventPageDto {
  @ApiProperty({ type: [RunEventDto] })
  items!: RunEventDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
