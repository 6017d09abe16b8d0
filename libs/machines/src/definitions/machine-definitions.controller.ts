import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { CreateMachineDefinitionDto, ListMachineDefinitionsQueryDto, MachineDefinitionDto, MachineDefinitionPageDto } from './machine-definition.dto.js';
import { MachineDefinitionsService } from './machine-definitions.service.js';

// Registered before MachinesController: /machines/definitions must not be taken for /machines/:id.
@ApiTags('machines')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('machines/definitions')
export class MachineDefinitionsController {
  constructor(private readonly defs: MachineDefinitionsService) {}

  /** List machine definitions (the catalog and custom ones) with their backends' config schemas. */
  @Get()
  async listMachineDefinitions(@Query() query: ListMachineDefinitionsQueryDto): Promise<MachineDefinitionPageDto> {
    const page = await this.defs.list(query);
    return { ...page, items: page.items.map(MachineDefinitionDto.from) };
  }

  /** Get one machine definition. */
  @Get(':id')
  async getMachineDefinition(@Param('id', UuidPipe) id: string): Promise<MachineDefinitionDto> {
    return MachineDefinitionDto.from(await this.defs.get(id));
  }

  /** Add a custom machine definition (admin); every backend's config schema must compile. */
  @Post()
  @Roles(Role.Admin)
  async createMachineDefinition(@Body() dto: CreateMachineDefinitionDto): Promise<MachineDefinitionDto> {
    return MachineDefinitionDto.from(await this.defs.create(dto));
  }
}
