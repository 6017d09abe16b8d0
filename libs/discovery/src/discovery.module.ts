import { Module } from '@nestjs/common';
import { CatalogSyncService } from './catalog-sync.service.js';
import { DemoSeedService } from './demo-seed.service.js';
import { DiscoveryController } from './discovery.controller.js';

/** Catalog sync: upserts the hardware library's catalogs into the definition tables. */
@Module({
  controllers: [DiscoveryController],
  providers: [CatalogSyncService, DemoSeedService],
  exports: [CatalogSyncService, DemoSeedService],
})
export class DiscoveryModule {}
