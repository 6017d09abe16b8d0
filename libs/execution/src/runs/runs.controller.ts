import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import type { Request } from 'express';
import { CreateRunDto, ListRunsQueryDto, RestartRunDto, RunActionDto, RunAssetDto, RunControlDto, RunDto, RunPageDto, RunTransitionDto } from './run.dto.js';
import { RunsService } from './runs.service.js';

/** The request's id (X-Request-Id, set by the logger's genReqId): the trace id a new run keeps. */
export function traceIdOf(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/** `user:<name>` of the request's token, for the transition log. */
export function actorOf(req: Request): string {
  const u = req.user as { username?: string; sub?: string } | undefined;
  return `user:${u?.username ?? u?.sub ?? 'unknown'}`;
}

@ApiTags('runs')
@ApiBearerAuth()
@ApiExtraModels(RunAssetDto)
@Roles(Role.Viewer)
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  /**
   * Start a run of a protocol definition (operator): parameters are checked against its schema,
   * assets are the ones given or matched in the workcell (409 naming a requirement nothing
   * satisfies). Answers `queued`, or `scheduled` when `scheduledAt` is in the future.
   */
  @Post()
  @Roles(Role.Operator)
  async startRun(@Body() dto: CreateRunDto, @Req() req: Request): Promise<RunDto> {
    const traceId = traceIdOf(req);
    return RunDto.from(await this.runs.create(dto, actorOf(req), traceId ? { traceId } : {}));
  }

  /** List runs (filters: status, protocol, workcell, created range). */
  @Get()
  async listRuns(@Query() query: ListRunsQueryDto): Promise<RunPageDto> {
    const page = await this.runs.list(query);
    return { ...page, items: page.items.map((r) => RunDto.from(r)) };
  }

  /** Get one run: status, timings, assets, pending input, error, outputs summary. */
  @Get(':id')
  async getRun(@Param('id', UuidPipe) id: string): Promise<RunDto> {
    const run = await this.runs.get(id);
    return RunDto.from(run, await this.runs.outputsSummary(id));
  }

  /** Every status change of the run, with time, actor and reason. */
  @Get(':id/transitions')
  async listRunTransitions(@Param('id', UuidPipe) id: string): Promise<RunTransitionDto[]> {
    await this.runs.get(id);
    return (await this.runs.transitions(id)).map((t) => ({ from: t.from, to: t.to, actor: t.actor, reason: t.reason, at: t.at }));
  }

  /** Pause, resume or cancel a run (operator); 409 naming the status when the action is not allowed now. */
  @Post(':id/actions')
  @HttpCode(202)
  @Roles(Role.Operator)
  async controlRun(@Param('id', UuidPipe) id: string, @Body() dto: RunActionDto, @Req() req: Request): Promise<RunDto> {
    return RunDto.from(await this.runs.act(id, dto, actorOf(req), traceIdOf(req)));
  }

  // One route per action as well, so clients (and the generated SDK) call verbs: pauseRun,
  // resumeRun, cancelRun, restartRun. They do exactly what controlRun does with that action.

  /** Pause a running run at its next command (operator); 409 naming the status when it cannot pause now. */
  @Post(':id/pause')
  @HttpCode(202)
  @Roles(Role.Operator)
  @ApiBody({ type: RunControlDto, required: false })
  async pauseRun(@Param('id', UuidPipe) id: string, @Body() dto: RunControlDto, @Req() req: Request): Promise<RunDto> {
    return RunDto.from(await this.runs.act(id, { action: 'pause', ...(dto?.reason ? { reason: dto.reason } : {}) }, actorOf(req)));
  }

  /** Resume a paused run (operator). */
  @Post(':id/resume')
  @HttpCode(202)
  @Roles(Role.Operator)
  @ApiBody({ type: RunControlDto, required: false })
  async resumeRun(@Param('id', UuidPipe) id: string, @Body() dto: RunControlDto, @Req() req: Request): Promise<RunDto> {
    return RunDto.from(await this.runs.act(id, { action: 'resume', ...(dto?.reason ? { reason: dto.reason } : {}) }, actorOf(req)));
  }

  /** Cancel a run that has not ended (operator): a queued one at once, a running one before its next command. */
  @Post(':id/cancel')
  @HttpCode(202)
  @Roles(Role.Operator)
  @ApiBody({ type: RunControlDto, required: false })
  async cancelRun(@Param('id', UuidPipe) id: string, @Body() dto: RunControlDto, @Req() req: Request): Promise<RunDto> {
    return RunDto.from(await this.runs.act(id, { action: 'cancel', ...(dto?.reason ? { reason: dto.reason } : {}) }, actorOf(req)));
  }

  /**
   * Restart an interrupted, failed or cancelled run (operator): answers the NEW run, which carries
   * the old one's state over and starts after `fromStep`.
   */
  @Post(':id/restart')
  @HttpCode(202)
  @Roles(Role.Operator)
  @ApiBody({ type: RestartRunDto, required: false })
  async restartRun(@Param('id', UuidPipe) id: string, @Body() dto: RestartRunDto, @Req() req: Request): Promise<RunDto> {
    return RunDto.from(await this.runs.act(id, { action: 'restart', ...(dto ?? {}) }, actorOf(req), traceIdOf(req)));
  }
}
