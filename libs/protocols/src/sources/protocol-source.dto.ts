import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ListQueryDto, OptionalNotNull } from '@praxis/common';
import { ProtocolSource, ProtocolSourceKind } from '../protocol-source.entity.js';

const NAME = /^[A-Za-z0-9_.-]{1,150}$/;
const NAME_MESSAGE = 'name must be 1-150 letters, digits, dots, dashes or underscores';

export class CreateProtocolSourceDto {
  @ApiProperty({ enum: ProtocolSourceKind, enumName: 'ProtocolSourceKind' })
  @IsEnum(ProtocolSourceKind)
  kind!: ProtocolSourceKind;

  /** Unique; defaults to the folder's or repository's name. */
  @OptionalNotNull()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;

  /** Folder on the API host (filesystem sources); relative paths are taken from the API's working directory. */
  @ValidateIf((o: CreateProtocolSourceDto) => o.kind === ProtocolSourceKind.Filesystem || o.path !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  path?: string;

  /** Repository URL (git sources): https://, ssh://, git@host:..., file:// or a local path. */
  @ValidateIf((o: CreateProtocolSourceDto) => o.kind === ProtocolSourceKind.Git || o.url !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  url?: string;

  /** Branch, tag or commit (git sources); default `main`. */
  @OptionalNotNull()
  @IsString()
  @MaxLength(200)
  ref?: string;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class UpdateProtocolSourceDto {
  @OptionalNotNull()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;

  /** Another folder (filesystem sources); checked like at creation. */
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  path?: string;

  /** Another repository (git sources); checked like at creation. */
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  url?: string;

  /** Another branch, tag or commit (git sources); takes effect at the next sync. */
  @OptionalNotNull()
  @IsString()
  @MaxLength(200)
  ref?: string;

  @OptionalNotNull()
  @IsObject()
  properties?: Record<string, unknown>;
}

export class ListProtocolSourcesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ProtocolSourceKind, enumName: 'ProtocolSourceKind' })
  @IsOptional()
  @IsEnum(ProtocolSourceKind)
  kind?: ProtocolSourceKind;
}

export class ProtocolSourceDto {
  id!: string;
  name!: string;
  @ApiProperty({ enum: ProtocolSourceKind, enumName: 'ProtocolSourceKind' })
  kind!: ProtocolSourceKind;
  path!: string | null;
  url!: string | null;
  ref!: string | null;
  /** Commit (git) or code hash (filesystem) of the last successful sync. */
  revision!: string | null;
  lastSyncedAt!: Date | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  lastSyncReport!: Record<string, unknown> | null;
  properties!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;

  static from(s: ProtocolSource): ProtocolSourceDto {
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      path: s.path,
      url: s.url,
      ref: s.ref,
      revision: s.revision,
      lastSyncedAt: s.lastSyncedAt,
      lastSyncReport: s.lastSyncReport,
      properties: s.properties,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}

export class ProtocolSourcePageDto {
  @ApiProperty({ type: [ProtocolSourceDto] })
  items!: ProtocolSourceDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class SyncedDefinitionDto {
  id!: string;
  name!: string;
  version!: string;
  file!: string;
}

export class SyncFileErrorDto {
  file!: string;
  line?: number;
  column?: number;
  message!: string;
}

/** What a sync found: definitions added, updated (new code under a known name and version), unchanged, removed, and per-file errors. */
export class SyncReportDto {
  sourceId!: string;
  /** The commit (git) or code hash (filesystem) synced. */
  revision!: string;
  filesScanned!: number;
  @ApiProperty({ type: [SyncedDefinitionDto] })
  added!: SyncedDefinitionDto[];
  @ApiProperty({ type: [SyncedDefinitionDto] })
  updated!: SyncedDefinitionDto[];
  @ApiProperty({ type: [SyncedDefinitionDto] })
  unchanged!: SyncedDefinitionDto[];
  /** Definitions no longer in the source (kept for the runs that pinned them, no longer current). */
  @ApiProperty({ type: [SyncedDefinitionDto] })
  removed!: SyncedDefinitionDto[];
  @ApiProperty({ type: [SyncFileErrorDto] })
  errors!: SyncFileErrorDto[];
}
