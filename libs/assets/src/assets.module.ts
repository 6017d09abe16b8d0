import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceDefinition } from './definitions/resource-definition.entity.js';
import { ResourceDefinitionsController } from './definitions/resource-definitions.controller.js';
import { ResourceDefinitionsService } from './definitions/resource-definitions.service.js';
import { Resource } from './resources/resource.entity.js';
import { ResourcesController } from './resources/resources.controller.js';
import { ResourcesService } from './resources/resources.service.js';
import { Workcell } from './workcells/workcell.entity.js';
import { WorkcellsController } from './workcells/workcells.controller.js';
import { WorkcellsService } from './workcells/workcells.service.js';

/** Workcells, resource definitions (labware catalog) and resources. */
@Module({
  imports: [TypeOrmModule.forFeature([Workcell, ResourceDefinition, Resource])],
  // Definitions before resources: /resources/definitions must not be taken for /resources/:id.
  controllers: [WorkcellsController, ResourceDefinitionsController, ResourcesController],
  providers: [WorkcellsService, ResourceDefinitionsService, ResourcesService],
  exports: [TypeOrmModule, WorkcellsService, ResourceDefinitionsService, ResourcesService],
})
export class AssetsModule {}
