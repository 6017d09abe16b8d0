import { Module } from '@nestjs/common';

/** Catalog sync: upserts the hardware library's catalogs into the definition tables. */
@Module({
  imports: [],
  controllers: [],
  providers: [],
  exports: [],
})
export class DiscoveryModule {}
