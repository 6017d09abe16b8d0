import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule, Resource } from '@praxis/assets';
import { DecksModule } from '@praxis/decks';
import { Machine, MachinesModule } from '@praxis/machines';
import { ProtocolsModule } from '@praxis/protocols';
import { LOCK_PROVIDERS } from './locks/lock-provider.js';
import { SystemStatusService } from './system/system-status.service.js';
import { RunRecoveryService } from './recovery/run-recovery.service.js';
import { RunQueues } from './run-queues.js';
import { Reservation, RunCall, RunCommand, RunOutput } from './runs/run-log.entity.js';
import { RunRecordsController } from './runs/run-records.controller.js';
import { RunRecordsService } from './runs/run-records.service.js';
import { RunTransitionsService, TRANSITION_RETRY_MS } from './runs/run-transitions.service.js';
import { Run, RunTransition } from './runs/run.entity.js';
import { RunsController } from './runs/runs.controller.js';
import { RunsService } from './runs/runs.service.js';
import { ScheduleFirer } from './schedules/schedule-firer.service.js';
import { ScheduleQueue } from './schedules/schedule-queue.js';
import { Schedule } from './schedules/schedule.entity.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { SchedulesService } from './schedules/schedules.service.js';
import { RunExecutor } from './worker/run-executor.service.js';
import { WorkcellRuntimeService } from './worker/workcell-runtime.service.js';

const FEATURES = TypeOrmModule.forFeature([Run, RunTransition, RunCall, RunCommand, RunOutput, Reservation, Schedule, Machine, Resource]);

/** Runs for the API: creation, the status table, queues per workcell, operator actions, records, reservations, schedules. */
@Module({
  imports: [FEATURES, AssetsModule, MachinesModule, ProtocolsModule],
  controllers: [RunsController, RunRecordsController, SchedulesController],
  providers: [RunQueues, RunsService, RunTransitionsService, RunRecordsService, RunRecoveryService, SystemStatusService, ScheduleQueue, SchedulesService, ...LOCK_PROVIDERS],
  exports: [TypeOrmModule, RunQueues, RunsService, RunTransitionsService, RunRecoveryService, SystemStatusService],
})
export class ExecutionModule {}

/** Runs for the worker: executes them on the workcells' live machines, and creates the runs of schedules as they fire. */
@Module({
  imports: [FEATURES, AssetsModule, DecksModule, ProtocolsModule],
  providers: [{ provide: TRANSITION_RETRY_MS, useValue: 300_000 }, RunTransitionsService, WorkcellRuntimeService, RunExecutor, RunQueues, RunsService, ScheduleQueue, ScheduleFirer, ...LOCK_PROVIDERS],
  exports: [RunExecutor, WorkcellRuntimeService],
})
export class ExecutionWorkerModule {}
