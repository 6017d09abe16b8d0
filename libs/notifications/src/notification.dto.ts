import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { ListQueryDto, OptionalNotNull, queryBoolean } from '@praxis/common';
import { DELIVERY_STATUSES, NOTIFIED_STATUSES, type DeliveryStatus, type NotificationDelivery, type NotificationRule, type NotifiedStatus } from './notification.entity.js';

const NAME = /^[A-Za-z0-9_.-]{1,150}$/;
const NAME_MESSAGE = 'name must be 1-150 letters, digits, dots, dashes or underscores';
const PROTOCOL_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const lowerEach = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)) : value);

export class CreateNotificationRuleDto {
  /** Unique, e.g. `night_shift_failures`. */
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name!: string;

  /** Run statuses that send the email. */
  @ApiProperty({ enum: NOTIFIED_STATUSES, isArray: true, example: ['failed', 'awaiting_input'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(NOTIFIED_STATUSES, { each: true, message: `each value in events must be one of ${NOTIFIED_STATUSES.join(', ')}` })
  events!: NotifiedStatus[];

  /** Email addresses (1-50). */
  @ApiProperty({ type: [String], example: ['lab-oncall@example.org'] })
  @Transform(lowerEach)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsEmail({ require_tld: false }, { each: true, message: 'each value in recipients must be an email address' })
  @MaxLength(320, { each: true })
  recipients!: string[];

  /** Only runs of this protocol (its name: every revision). */
  @OptionalNotNull()
  @IsString()
  @Matches(PROTOCOL_NAME, { message: 'protocolName must be a protocol name (1-100 letters, digits, dots, dashes or underscores)' })
  protocolName?: string;

  /** Only runs on this workcell. */
  @OptionalNotNull()
  @IsUUID()
  workcellId?: string;

  /** Default true; a disabled rule sends nothing. */
  @OptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

/** Partial; `null` clears `protocolName` or `workcellId` (any protocol, any workcell). */
export class UpdateNotificationRuleDto {
  @OptionalNotNull()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional({ enum: NOTIFIED_STATUSES, isArray: true })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(NOTIFIED_STATUSES, { each: true, message: `each value in events must be one of ${NOTIFIED_STATUSES.join(', ')}` })
  events?: NotifiedStatus[];

  @ApiPropertyOptional({ type: [String] })
  @OptionalNotNull()
  @Transform(lowerEach)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsEmail({ require_tld: false }, { each: true, message: 'each value in recipients must be an email address' })
  @MaxLength(320, { each: true })
  recipients?: string[];

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Matches(PROTOCOL_NAME, { message: 'protocolName must be a protocol name (1-100 letters, digits, dots, dashes or underscores)' })
  protocolName?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  workcellId?: string | null;

  @OptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class ListNotificationRulesQueryDto extends ListQueryDto {
  /** Rules that fire on this status. */
  @ApiPropertyOptional({ enum: NOTIFIED_STATUSES })
  @IsOptional()
  @IsIn(NOTIFIED_STATUSES)
  event?: NotifiedStatus;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  protocolName?: string;

  @IsOptional()
  @IsUUID()
  workcellId?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  enabled?: boolean;

  /** Rules that mail this address. */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  recipient?: string;
}

export class NotificationRuleDto {
  id!: string;
  name!: string;
  @ApiProperty({ enum: NOTIFIED_STATUSES, isArray: true })
  events!: NotifiedStatus[];
  protocolName!: string | null;
  workcellId!: string | null;
  recipients!: string[];
  enabled!: boolean;
  createdBy!: string;
  createdAt!: Date;
  updatedAt!: Date;

  static from(r: NotificationRule): NotificationRuleDto {
    return {
      id: r.id,
      name: r.name,
      events: r.events,
      protocolName: r.protocolName,
      workcellId: r.workcellId,
      recipients: r.recipients,
      enabled: r.enabled,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }
}

export class NotificationRulePageDto {
  @ApiProperty({ type: [NotificationRuleDto] })
  items!: NotificationRuleDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class ListNotificationDeliveriesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @IsOptional()
  @IsUUID()
  runId?: string;

  @IsOptional()
  @IsUUID()
  ruleId?: string;

  /** The run status that triggered it. */
  @ApiPropertyOptional({ enum: NOTIFIED_STATUSES })
  @IsOptional()
  @IsIn(NOTIFIED_STATUSES)
  event?: NotifiedStatus;
}

export class DeliveryAttemptErrorDto {
  at!: string;
  error!: string;
}

export class NotificationDeliveryDto {
  id!: string;
  /** The run transition that triggered it. */
  transitionId!: string;
  /** Null when the rule has been deleted since. */
  ruleId!: string | null;
  runId!: string;
  @ApiProperty({ enum: NOTIFIED_STATUSES })
  event!: string;
  recipients!: string[];
  subject!: string;
  body!: string;
  /** `pending` (due at `nextAttemptAt`), `sent`, or `failed` after the last allowed attempt. */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status!: DeliveryStatus;
  attempts!: number;
  nextAttemptAt!: Date | null;
  lastError!: string | null;
  @ApiProperty({ type: [DeliveryAttemptErrorDto] })
  attemptErrors!: DeliveryAttemptErrorDto[];
  sentAt!: Date | null;
  messageId!: string | null;
  createdAt!: Date;
  updatedAt!: Date;

  static from(d: NotificationDelivery): NotificationDeliveryDto {
    return {
      id: d.id,
      transitionId: d.transitionId,
      ruleId: d.ruleId,
      runId: d.runId,
      event: d.event,
      recipients: d.recipients,
      subject: d.subject,
      body: d.body,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastError: d.lastError,
      attemptErrors: d.attemptErrors,
      sentAt: d.sentAt,
      messageId: d.messageId,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}

export class NotificationDeliveryPageDto {
  @ApiProperty({ type: [NotificationDeliveryDto] })
  items!: NotificationDeliveryDto[];
  total!: number;
  limit!: number;
  offset!: number;
}
