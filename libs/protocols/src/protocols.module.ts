import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule, Resource } from '@praxis/assets';
import { AppConfig } from '@praxis/config';
import { DecksModule } from '@praxis/decks';
import { Machine, MachinesModule } from '@praxis/machines';
import { ProtocolDefinitionsController } from './definitions/protocol-definitions.controller.js';
import { ProtocolDefinitionsService } from './definitions/protocol-definitions.service.js';
import { ProtocolDefinitionEntity } from './protocol-definition.entity.js';
import { ProtocolSource } from './protocol-source.entity.js';
import { ProtocolSandbox } from './sandbox/host.js';
import { ProtocolSourcesController } from './sources/protocol-sources.controller.js';
import { ProtocolSourcesService } from './sources/protocol-sources.service.js';

/** Protocol sources (folders, git), discovery in a sandbox, stored definitions, simulation. */
@Module({
  imports: [TypeOrmModule.forFeature([ProtocolSource, ProtocolDefinitionEntity, Machine, Resource]), AssetsModule, MachinesModule, DecksModule],
  controllers: [ProtocolSourcesController, ProtocolDefinitionsController],
  providers: [
    {
      provide: ProtocolSandbox,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => new ProtocolSandbox({ timeoutMs: c.protocols.loadTimeoutMs, memoryMb: c.protocols.sandboxMemoryMb }),
    },
    ProtocolSourcesService,
    ProtocolDefinitionsService,
  ],
  exports: [TypeOrmModule, ProtocolSandbox, ProtocolSourcesService, ProtocolDefinitionsService],
})
export class ProtocolsModule {}
