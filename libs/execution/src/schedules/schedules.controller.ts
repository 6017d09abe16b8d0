import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import type { Request } from 'express';
import { RunDto, RunPageDto } from '../runs/run.dto.js';
import { actorOf } from '../runs/runs.controller.js';
import { CreateScheduleDto, ListScheduleRunsQueryDto, ListSchedulesQueryDto, ScheduleDto, SchedulePageDto, UpdateScheduleDto } from './schedule.dto.js';
import type { Schedule } from './schedule.entity.js';
import { SchedulesService } from './schedules.service.js';

@ApiTags('schedules')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  private dto(s: Schedule, now = new Date()): ScheduleDto {
    return ScheduleDto.from(s, this.schedules.nextRunAt(s, now));
  }

  /**
   * Create a schedule (operator): a cron expression in a time zone that creates a run of the
   * protocol with the parameters and assets at each fire. Checked like `POST /runs` (400 naming the
   * field, 409 ASSET_UNAVAILABLE naming a requirement nothing satisfies), plus `cron` and `timezone`.
   */
  @Post()
  @Roles(Role.Operator)
  async createSchedule(@Body() dto: CreateScheduleDto, @Req() req: Request): Promise<ScheduleDto> {
    return this.dto(await this.schedules.create(dto, actorOf(req)));
  }

  /** List schedules (filters: paused, protocol, workcell, name search), each with its next fire time. */
  @Get()
  async listSchedules(@Query() query: ListSchedulesQueryDto): Promise<SchedulePageDto> {
    const page = await this.schedules.list(query);
    const now = new Date();
    return { ...page, items: page.items.map((s) => this.dto(s, now)) };
  }

  /** Get one schedule: its next fire time, last run and the error of its last fire, if any. */
  @Get(':id')
  async getSchedule(@Param('id', UuidPipe) id: string): Promise<ScheduleDto> {
    return this.dto(await this.schedules.get(id));
  }

  /** Change a schedule (operator): partial; checked like a create; `paused` pauses or resumes it. */
  @Patch(':id')
  @Roles(Role.Operator)
  async updateSchedule(@Param('id', UuidPipe) id: string, @Body() dto: UpdateScheduleDto): Promise<ScheduleDto> {
    return this.dto(await this.schedules.update(id, dto));
  }

  /** Pause a schedule (operator): no more runs until it is resumed; runs already created go on. */
  @Post(':id/pause')
  @HttpCode(200)
  @Roles(Role.Operator)
  async pauseSchedule(@Param('id', UuidPipe) id: string): Promise<ScheduleDto> {
    return this.dto(await this.schedules.pause(id));
  }

  /** Resume a paused schedule (operator): it fires again from its next fire time. */
  @Post(':id/resume')
  @HttpCode(200)
  @Roles(Role.Operator)
  async resumeSchedule(@Param('id', UuidPipe) id: string): Promise<ScheduleDto> {
    return this.dto(await this.schedules.resume(id));
  }

  /** Delete a schedule (operator); the runs it created stay. */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Operator)
  async deleteSchedule(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.schedules.remove(id);
  }

  /** The runs the schedule created, newest first (list conventions; filter `status`). */
  @Get(':id/runs')
  async listScheduleRuns(@Param('id', UuidPipe) id: string, @Query() query: ListScheduleRunsQueryDto): Promise<RunPageDto> {
    const page = await this.schedules.listRuns(id, query);
    return { ...page, items: page.items.map((r) => RunDto.from(r)) };
  }
}
