import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MachineDefinition } from './machine-definition.entity.js';
import { Machine } from './machine.entity.js';

/** Machine definitions (catalog) and machines. */
@Module({
  imports: [TypeOrmModule.forFeature([MachineDefinition, Machine])],
  controllers: [],
  providers: [],
  exports: [TypeOrmModule],
})
export class MachinesModule {}
