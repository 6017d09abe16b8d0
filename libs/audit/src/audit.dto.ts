import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '@praxis/common';
import type { AuditEntry } from './audit-entry.entity.js';

/** `createdFrom` / `createdTo` bound the time of the request. */
export class ListAuditEntriesQueryDto extends ListQueryDto {
  /** A user id (or an external token's subject). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(150)
  actorUsername?: string;

  /** The collection acted on, e.g. `runs`, `users`, `protocols/sources`. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9./-]{1,100}$/, { message: 'targetType must be a collection path such as runs or protocols/sources' })
  targetType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional({ enum: ['POST', 'PUT', 'PATCH', 'DELETE'] })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(['POST', 'PUT', 'PATCH', 'DELETE'])
  method?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure'] })
  @IsOptional()
  @IsIn(['success', 'failure'])
  outcome?: 'success' | 'failure';

  /** The HTTP status answered. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(599)
  status?: number;

  /** The error code answered, e.g. `FORBIDDEN`. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z_]{1,50}$/, { message: 'errorCode must be an error code such as FORBIDDEN' })
  errorCode?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  requestId?: string;
}

export class AuditEntryDto {
  id!: string;
  /** When the request arrived. */
  createdAt!: Date;
  actorId!: string | null;
  actorUsername!: string | null;
  actorRole!: string | null;
  method!: string;
  /** Route pattern, e.g. `/api/v1/runs/:id/actions`. */
  route!: string;
  path!: string;
  targetType!: string | null;
  targetId!: string | null;
  status!: number;
  @ApiProperty({ enum: ['success', 'failure'] })
  outcome!: 'success' | 'failure';
  errorCode!: string | null;
  /** Equals the request's `X-Request-Id` and an error's `traceId`. */
  requestId!: string;
  ip!: string | null;
  /** The request body, redacted (no passwords, tokens or secrets) and bounded. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  summary!: Record<string, unknown> | null;

  static from(e: AuditEntry): AuditEntryDto {
    return { ...e };
  }
}

export class AuditEntryPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items!: AuditEntryDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
