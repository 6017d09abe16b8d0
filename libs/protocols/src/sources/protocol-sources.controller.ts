import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import {
  CreateProtocolSourceDto,
  ListProtocolSourcesQueryDto,
  ProtocolSourceDto,
  ProtocolSourcePageDto,
  SyncReportDto,
  UpdateProtocolSourceDto,
} from './protocol-source.dto.js';
import { ProtocolSourcesService } from './protocol-sources.service.js';

@ApiTags('protocols')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('protocols/sources')
export class ProtocolSourcesController {
  constructor(private readonly sources: ProtocolSourcesService) {}

  /** List protocol sources (folders and git repositories). */
  @Get()
  async listProtocolSources(@Query() query: ListProtocolSourcesQueryDto): Promise<ProtocolSourcePageDto> {
    const page = await this.sources.list(query);
    return { ...page, items: page.items.map(ProtocolSourceDto.from) };
  }

  /** Register a folder (`{ kind: 'filesystem', path }`) or a git repository (`{ kind: 'git', url, ref }`) (admin); the folder, URL and ref are checked. */
  @Post()
  @Roles(Role.Admin)
  async createProtocolSource(@Body() dto: CreateProtocolSourceDto): Promise<ProtocolSourceDto> {
    return ProtocolSourceDto.from(await this.sources.create(dto));
  }

  /** Get one source, with its last sync report. */
  @Get(':id')
  async getProtocolSource(@Param('id', UuidPipe) id: string): Promise<ProtocolSourceDto> {
    return ProtocolSourceDto.from(await this.sources.get(id));
  }

  /** Rename a source, or point it at another folder, repository or ref (admin); takes effect at the next sync. */
  @Patch(':id')
  @Roles(Role.Admin)
  async updateProtocolSource(@Param('id', UuidPipe) id: string, @Body() dto: UpdateProtocolSourceDto): Promise<ProtocolSourceDto> {
    return ProtocolSourceDto.from(await this.sources.update(id, dto));
  }

  /** Delete a source and its definitions (admin); refused while runs refer to them. */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  async deleteProtocolSource(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.sources.remove(id);
  }

  /**
   * Clone or fetch the source, resolve its ref to a commit, discover its protocols in an isolated
   * process and record them (admin). Answers what was added, updated, unchanged and removed, and
   * each file that failed to load, with its line.
   */
  @Post(':id/sync')
  @HttpCode(200)
  @Roles(Role.Admin)
  async syncProtocolSource(@Param('id', UuidPipe) id: string): Promise<SyncReportDto> {
    return this.sources.sync(id);
  }
}
