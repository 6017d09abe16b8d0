import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule, Resource } from '@praxis/assets';
import { Machine, MachinesModule } from '@praxis/machines';
import { ProtocolsModule } from '@praxis/protocols';
import { RunQueues } from './run-queues.js';
import { Reservation, RunCall, RunCommand, RunOutput } from './runs/run-log.entity.js';
import { Run, RunTransition } from './runs/run.entity.js';
import { RunsController } from './runs/runs.controller.js';
import { RunsService } from './runs/runs.service.js';

/** Runs: creation, the status table, queues per workcell, operator actions. */
@Module({
  imports: [TypeOrmModule.forFeature([Run, RunTransition, RunCall, RunCommand, RunOutput, Reservation, Machine, Resource]), AssetsModule, MachinesModule, ProtocolsModule],
  controllers: [RunsController],
  providers: [RunQueues, RunsService],
  exports: [TypeOrmModule, RunQueues, RunsService],
})
export class ExecutionModule {}
