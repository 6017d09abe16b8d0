import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Mailer } from './mailer.service.js';
import { NotificationDispatcher } from './notification-dispatcher.service.js';
import { NotificationDelivery, NotificationRule, NotifiedTransition } from './notification.entity.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';

/** Email notifications of run events, for the API process (the worker never waits on mail). */
@Module({
  imports: [TypeOrmModule.forFeature([NotificationRule, NotificationDelivery, NotifiedTransition])],
  controllers: [NotificationsController],
  providers: [Mailer, NotificationsService, NotificationDispatcher],
  exports: [Mailer, NotificationDispatcher, NotificationsService],
})
export class NotificationsModule {}
