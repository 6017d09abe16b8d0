import { Module } from '@nestjs/common';
import { AuthModule } from '@praxis/auth';
import { EventsGateway } from './events.gateway.js';
import { RunEventsController } from './run-events.controller.js';
import { RunEventsService } from './run-events.service.js';

/** Live events for the API: the Socket.IO namespace `/events` and the run event log over REST. */
@Module({
  imports: [AuthModule],
  controllers: [RunEventsController],
  providers: [RunEventsService, EventsGateway],
})
export class EventsModule {}
