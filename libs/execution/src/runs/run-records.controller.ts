import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { ForceQueryDto, ListOutputsQueryDto, ReservationDto, RunCallDto, RunCommandPageDto, RunCommandsQueryDto, RunInputDto, RunOutputDto, RunOutputPageDto } from './run-records.dto.js';
import { RunRecordsService } from './run-records.service.js';
import { RunDto } from './run.dto.js';
import { RunsService } from './runs.service.js';

@ApiTags('runs')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller()
export class RunRecordsController {
  constructor(
    private readonly records: RunRecordsService,
    private readonly runs: RunsService,
  ) {}

  /** The run's call tree: every step() call with its sequence number, parent, arguments, result or error, timings and state diff. */
  @Get('runs/:id/calls')
  listRunCalls(@Param('id', UuidPipe) id: string): Promise<RunCallDto[]> {
    return this.records.callTree(id);
  }

  /** Every hardware command of the run, in order, with arguments, result or error and duration (cursor-paginated). */
  @Get('runs/:id/commands')
  listRunCommands(@Param('id', UuidPipe) id: string, @Query() q: RunCommandsQueryDto): Promise<RunCommandPageDto> {
    return this.records.commandLog(id, q.after ?? 0, q.limit);
  }

  /** The run's state (PraxisState), kept after the run ends. */
  @Get('runs/:id/state')
  getRunState(@Param('id', UuidPipe) id: string): Promise<Record<string, unknown>> {
    return this.records.state(id);
  }

  /** The run's data outputs, in order. */
  @Get('runs/:id/outputs')
  async listRunOutputs(@Param('id', UuidPipe) id: string): Promise<RunOutputDto[]> {
    return (await this.records.runOutputs(id)).map((o) => ({ ...o, resource: o.resource }));
  }

  /** Answer the run's pending prompt (operator); 400 naming a field that does not fit, 409 when nothing is asked. */
  @Post('runs/:id/input')
  @HttpCode(202)
  @Roles(Role.Operator)
  async answerRunInput(@Param('id', UuidPipe) id: string, @Body() dto: RunInputDto): Promise<RunDto> {
    await this.records.answer(id, dto.values);
    return RunDto.from(await this.runs.get(id));
  }

  /** Data outputs of all runs (filters: type, run, protocol, resource, name). */
  @Get('outputs')
  async listOutputs(@Query() q: ListOutputsQueryDto): Promise<RunOutputPageDto> {
    return this.records.listOutputs(q);
  }

  /** Assets held by runs, with the time left on each lock. */
  @Get('reservations')
  async listReservations(): Promise<ReservationDto[]> {
    return (await this.records.listReservations()).map((r) => ({ assetId: r.assetId, assetKind: r.assetKind, assetName: r.assetName, runId: r.runId, acquiredAt: r.acquiredAt, lockTtlMs: r.lockTtlMs }));
  }

  /** Release an asset whatever holds it (admin, `force=true`): for recovery when a run's worker is gone. */
  @Delete('reservations/:assetId')
  @Roles(Role.Admin)
  async releaseReservation(@Param('assetId', UuidPipe) assetId: string, @Query() q: ForceQueryDto): Promise<{ formerRunId: string | null }> {
    return this.records.forceRelease(assetId, q.force === 'true');
  }
}
