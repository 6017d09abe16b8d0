import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { CreateResourceDto, ListResourcesQueryDto, ResourceDto, ResourcePageDto, UpdateResourceDto } from './resource.dto.js';
import { ResourcesService } from './resources.service.js';

@ApiTags('resources')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  /** List resources (labware, carriers) with filters. */
  @Get()
  listResources(@Query() query: ListResourcesQueryDto): Promise<ResourcePageDto> {
    // Rows come from the list query with exactly the DTO's fields.
    return this.resources.list(query) as unknown as Promise<ResourcePageDto>;
  }

  /** Get one resource. */
  @Get(':id')
  async getResource(@Param('id', UuidPipe) id: string): Promise<ResourceDto> {
    return ResourceDto.from(await this.resources.get(id));
  }

  /** Register a resource (admin). */
  @Post()
  @Roles(Role.Admin)
  async createResource(@Body() dto: CreateResourceDto): Promise<ResourceDto> {
    return ResourceDto.from(await this.resources.create(dto));
  }

  /** Rename, move (re-parent), change status or state (admin); refused while a run uses it. */
  @Patch(':id')
  @Roles(Role.Admin)
  async updateResource(@Param('id', UuidPipe) id: string, @Body() dto: UpdateResourceDto): Promise<ResourceDto> {
    return ResourceDto.from(await this.resources.update(id, dto));
  }

  /** Delete a resource nothing stands on and no run uses (admin). */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  async deleteResource(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.resources.remove(id);
  }
}
