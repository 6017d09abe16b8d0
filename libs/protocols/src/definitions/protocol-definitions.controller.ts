import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import {
  AssetRequirementDto,
  ListProtocolDefinitionsQueryDto,
  ProtocolDefinitionDto,
  ProtocolDefinitionPageDto,
  SimulateProtocolDto,
  SimulationReportDto,
} from './protocol-definition.dto.js';
import { ProtocolDefinitionsService } from './protocol-definitions.service.js';

@ApiTags('protocols')
@ApiBearerAuth()
@ApiExtraModels(AssetRequirementDto)
@Roles(Role.Viewer)
@Controller('protocols/definitions')
export class ProtocolDefinitionsController {
  constructor(private readonly defs: ProtocolDefinitionsService) {}

  /** List protocol definitions (filters: name, category, tag, source, version, current, latest). */
  @Get()
  async listProtocolDefinitions(@Query() query: ListProtocolDefinitionsQueryDto): Promise<ProtocolDefinitionPageDto> {
    const page = await this.defs.list(query);
    return { ...page, items: page.items.map(ProtocolDefinitionDto.from) };
  }

  /** Get one definition: its parameters' JSON Schema and its asset requirements. */
  @Get(':id')
  async getProtocolDefinition(@Param('id', UuidPipe) id: string): Promise<ProtocolDefinitionDto> {
    return ProtocolDefinitionDto.from(await this.defs.get(id));
  }

  /**
   * Dry-run the protocol on simulators in an isolated process (operator), against a copy of a deck
   * layout: whether it passed, each violation with its step, command, resource and channel, the
   * commands and steps, an estimated duration and the final state. Nothing real is touched.
   */
  @Post(':id/simulate')
  @HttpCode(200)
  @Roles(Role.Operator)
  async simulateProtocol(@Param('id', UuidPipe) id: string, @Body() dto: SimulateProtocolDto): Promise<SimulationReportDto> {
    return (await this.defs.simulate(id, dto)) as unknown as SimulationReportDto;
  }
}
