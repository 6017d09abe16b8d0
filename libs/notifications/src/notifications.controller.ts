import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type AuthPrincipal } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import {
  CreateNotificationRuleDto,
  ListNotificationDeliveriesQueryDto,
  ListNotificationRulesQueryDto,
  NotificationDeliveryDto,
  NotificationDeliveryPageDto,
  NotificationRuleDto,
  NotificationRulePageDto,
  UpdateNotificationRuleDto,
} from './notification.dto.js';
import { NotificationsService } from './notifications.service.js';

// Operators write rules: they run the lab and decide who hears about a failed or waiting run,
// without needing an admin for it; viewers read them.
@ApiTags('notifications')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /**
   * Create a rule (operator): email `recipients` when a run reaches one of `events` (`completed`,
   * `failed`, `cancelled`, `interrupted`, `awaiting_input`), optionally only for runs of
   * `protocolName` or on `workcellId`.
   */
  @Post('rules')
  @Roles(Role.Operator)
  async createNotificationRule(@Body() dto: CreateNotificationRuleDto, @CurrentUser() user: AuthPrincipal): Promise<NotificationRuleDto> {
    return NotificationRuleDto.from(await this.notifications.createRule(dto, `user:${user.username}`));
  }

  /** List rules (filters: event, protocolName, workcellId, enabled, recipient). */
  @Get('rules')
  async listNotificationRules(@Query() query: ListNotificationRulesQueryDto): Promise<NotificationRulePageDto> {
    const page = await this.notifications.listRules(query);
    return { ...page, items: page.items.map(NotificationRuleDto.from) };
  }

  /** Get one rule. */
  @Get('rules/:id')
  async getNotificationRule(@Param('id', UuidPipe) id: string): Promise<NotificationRuleDto> {
    return NotificationRuleDto.from(await this.notifications.getRule(id));
  }

  /** Change a rule (operator): partial; `null` clears the protocol or workcell filter. */
  @Patch('rules/:id')
  @Roles(Role.Operator)
  async updateNotificationRule(@Param('id', UuidPipe) id: string, @Body() dto: UpdateNotificationRuleDto): Promise<NotificationRuleDto> {
    return NotificationRuleDto.from(await this.notifications.updateRule(id, dto));
  }

  /** Delete a rule (operator); its deliveries stay on record. */
  @Delete('rules/:id')
  @HttpCode(204)
  @Roles(Role.Operator)
  async deleteNotificationRule(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.notifications.removeRule(id);
  }

  /** Every email the rules produced, newest first, with its status, attempts and last error (filters: status, runId, ruleId, event). */
  @Get('deliveries')
  async listNotificationDeliveries(@Query() query: ListNotificationDeliveriesQueryDto): Promise<NotificationDeliveryPageDto> {
    const page = await this.notifications.listDeliveries(query);
    return { ...page, items: page.items.map(NotificationDeliveryDto.from) };
  }

  /** Get one delivery. */
  @Get('deliveries/:id')
  async getNotificationDelivery(@Param('id', UuidPipe) id: string): Promise<NotificationDeliveryDto> {
    return NotificationDeliveryDto.from(await this.notifications.getDelivery(id));
  }
}
