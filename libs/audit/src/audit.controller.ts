import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { AuditEntryDto, AuditEntryPageDto, ListAuditEntriesQueryDto } from './audit.dto.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /**
   * The audit log (admin): every state-changing request with its actor, time, route, target and
   * outcome, newest first (filters: actorId, actorUsername, targetType, targetId, method, outcome,
   * status, errorCode, requestId; `createdFrom`/`createdTo` for the time range).
   */
  @Get()
  async listAuditEntries(@Query() query: ListAuditEntriesQueryDto): Promise<AuditEntryPageDto> {
    const page = await this.audit.list(query);
    return { ...page, items: page.items.map(AuditEntryDto.from) };
  }
}
