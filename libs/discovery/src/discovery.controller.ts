import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { CatalogSyncService } from './catalog-sync.service.js';

class SyncCountsDto {
  created!: string[];
  updated!: string[];
  unchanged!: string[];
  skipped!: string[];
}

class SyncReportDto {
  resourceDefinitions!: SyncCountsDto;
  machineDefinitions!: SyncCountsDto;
  deckTypes!: SyncCountsDto;
}

@ApiTags('discovery')
@ApiBearerAuth()
@Controller('discovery')
export class DiscoveryController {
  constructor(private readonly catalog: CatalogSyncService) {}

  /** Upsert the catalogs from the hardware library (labware, carriers, deck types, machine kinds and backends). Idempotent. */
  @Post('sync')
  @HttpCode(200)
  @Roles(Role.Admin)
  syncCatalogs(): Promise<SyncReportDto> {
    return this.catalog.sync();
  }
}
