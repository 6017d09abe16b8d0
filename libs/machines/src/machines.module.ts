import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '@praxis/assets';
import { MachineDefinitionsController } from './definitions/machine-definitions.controller.js';
import { MachineDefinitionsService } from './definitions/machine-definitions.service.js';
import { MachineDefinition } from './machine-definition.entity.js';
import { Machine } from './machine.entity.js';
import { MachinesController } from './machines/machines.controller.js';
import { MachinesService } from './machines/machines.service.js';

/** Machine definitions (catalog) and machines. */
@Module({
  imports: [TypeOrmModule.forFeature([MachineDefinition, Machine]), AssetsModule],
  // Definitions first: /machines/definitions must not be taken for /machines/:id.
  controllers: [MachineDefinitionsController, MachinesController],
  providers: [MachineDefinitionsService, MachinesService],
  exports: [TypeOrmModule, MachineDefinitionsService, MachinesService],
})
export class MachinesModule {}
