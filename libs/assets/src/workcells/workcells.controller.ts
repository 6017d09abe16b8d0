import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { CreateWorkcellDto, ListWorkcellsQueryDto, UpdateWorkcellDto, WorkcellDto, WorkcellPageDto } from './workcell.dto.js';
import { WorkcellsService } from './workcells.service.js';

@ApiTags('workcells')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('workcells')
export class WorkcellsController {
  constructor(private readonly workcells: WorkcellsService) {}

  /** List workcells. */
  @Get()
  async listWorkcells(@Query() query: ListWorkcellsQueryDto): Promise<WorkcellPageDto> {
    const page = await this.workcells.list(query);
    return { ...page, items: page.items.map(WorkcellDto.from) };
  }

  /** Get one workcell. */
  @Get(':id')
  async getWorkcell(@Param('id', UuidPipe) id: string): Promise<WorkcellDto> {
    return WorkcellDto.from(await this.workcells.get(id));
  }

  /** Create a workcell (admin). */
  @Post()
  @Roles(Role.Admin)
  async createWorkcell(@Body() dto: CreateWorkcellDto): Promise<WorkcellDto> {
    return WorkcellDto.from(await this.workcells.create(dto));
  }

  /** Change a workcell (admin). */
  @Patch(':id')
  @Roles(Role.Admin)
  async updateWorkcell(@Param('id', UuidPipe) id: string, @Body() dto: UpdateWorkcellDto): Promise<WorkcellDto> {
    return WorkcellDto.from(await this.workcells.update(id, dto));
  }

  /** Delete a workcell with nothing in it (admin). */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  async deleteWorkcell(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.workcells.remove(id);
  }
}
