import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceDefinition } from './resource-definition.entity.js';
import { Resource } from './resource.entity.js';
import { Workcell } from './workcell.entity.js';

/** Workcells, resource definitions (labware catalog) and resources. */
@Module({
  imports: [TypeOrmModule.forFeature([Workcell, ResourceDefinition, Resource])],
  controllers: [],
  providers: [],
  exports: [TypeOrmModule],
})
export class AssetsModule {}
