import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import {
  CreateResourceDefinitionDto,
  DefinitionFacetsDto,
  DefinitionFiltersDto,
  GetDefinitionQueryDto,
  ResourceDefinitionDto,
  ResourceDefinitionPageDto,
} from './resource-definition.dto.js';
import { ResourceDefinitionsService } from './resource-definitions.service.js';

@ApiTags('resources')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('resources/definitions')
export class ResourceDefinitionsController {
  constructor(private readonly defs: ResourceDefinitionsService) {}

  /** List labware definitions (the catalog and custom ones). */
  @Get()
  async listResourceDefinitions(@Query() query: DefinitionFiltersDto): Promise<ResourceDefinitionPageDto> {
    const page = await this.defs.list(query);
    return { ...page, items: page.items.map((d) => ResourceDefinitionDto.from(d)) };
  }

  /** Value counts for category, vendor, item count, plate type, well and tip volume; each facet ignores its own filter. */
  @Get('facets')
  getResourceDefinitionFacets(@Query() query: DefinitionFiltersDto): Promise<DefinitionFacetsDto> {
    return this.defs.facets(query);
  }

  /** One definition; `includeLayout=true` adds the hardware library's serialized layout. */
  @Get(':id')
  async getResourceDefinition(@Param('id', UuidPipe) id: string, @Query() q: GetDefinitionQueryDto): Promise<ResourceDefinitionDto> {
    return ResourceDefinitionDto.from(await this.defs.get(id), q.includeLayout ?? false);
  }

  /** Add a custom definition from a serialized hardware-library resource (admin). */
  @Post()
  @Roles(Role.Admin)
  async createResourceDefinition(@Body() dto: CreateResourceDefinitionDto): Promise<ResourceDefinitionDto> {
    return ResourceDefinitionDto.from(await this.defs.create(dto), true);
  }
}
