import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { RunEventPageDto, RunEventsQueryDto } from './run-events.dto.js';
import { RunEventsService } from './run-events.service.js';

@ApiTags('runs')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller()
export class RunEventsController {
  constructor(private readonly events: RunEventsService) {}

  /**
   * The run's event log in seq order, the same events the Socket.IO namespace `/events` replays and
   * streams: `afterSeq` for the ones after what a client has (filters: type).
   */
  @Get('runs/:id/events')
  listRunEvents(@Param('id', UuidPipe) id: string, @Query() q: RunEventsQueryDto): Promise<RunEventPageDto> {
    return this.events.page(id, q) as Promise<RunEventPageDto>;
  }
}
