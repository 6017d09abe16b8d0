import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import { type Resource, ResourceStatus } from './resource.entity.js';

export class CreateResourceDto {
  /** Unique per workcell; also its name on a deck. */
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,150}$/, { message: 'name must be 1-150 letters, digits, dots, dashes or underscores' })
  name!: string;

  @IsUUID()
  definitionId!: string;

  @OptionalNotNull()
  @IsUUID()
  workcellId?: string;

  /** What it stands on (same workcell). */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  parentId?: string | null;

  /** On the parent: `{ x, y, z }` (mm), `{ site }`, `{ rails }` or `{ slot }`. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  location?: Record<string, unknown> | null;

  @ApiPropertyOptional({ enum: ResourceStatus, enumName: 'ResourceStatus' })
  @OptionalNotNull()
  @IsEnum(ResourceStatus)
  status?: ResourceStatus;

  /** Last known state (tips, volumes) keyed by resource name, as the hardware library writes it. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  state?: Record<string, unknown> | null;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class UpdateResourceDto {
  @OptionalNotNull()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,150}$/, { message: 'name must be 1-150 letters, digits, dots, dashes or underscores' })
  name?: string;

  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  parentId?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  location?: Record<string, unknown> | null;

  @ApiPropertyOptional({ enum: ResourceStatus, enumName: 'ResourceStatus' })
  @OptionalNotNull()
  @IsEnum(ResourceStatus)
  status?: ResourceStatus;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  state?: Record<string, unknown> | null;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ListResourcesQueryDto extends ListQueryDto {
  @IsOptional()
  @IsUUID()
  workcellId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  category?: string;

  @ApiPropertyOptional({ enum: ResourceStatus, enumName: 'ResourceStatus' })
  @IsOptional()
  @IsEnum(ResourceStatus)
  status?: ResourceStatus;

  @IsOptional()
  @IsUUID()
  definitionId?: string;

  @IsOptional()
  @IsUUID()
  parentId?: string;

  /** Case-insensitive substring of the name. */
  @IsOptional()
  @IsString()
  @MaxLength(150)
  search?: string;
}

export class ResourceDto {
  id!: string;
  name!: string;
  definitionId!: string;
  category!: string;
  workcellId!: string | null;
  parentId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  location!: Record<string, unknown> | null;
  @ApiProperty({ enum: ResourceStatus, enumName: 'ResourceStatus' })
  status!: ResourceStatus;
  currentRunId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  state!: Record<string, unknown> | null;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(r: Resource): ResourceDto {
    return {
      id: r.id,
      name: r.name,
      definitionId: r.definitionId,
      category: r.category,
      workcellId: r.workcellId,
      parentId: r.parentId,
      location: r.location,
      status: r.status,
      currentRunId: r.currentRunId,
      state: r.state,
      properties: r.properties,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }
}

export class ResourcePageDto {
  items!: ResourceDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
