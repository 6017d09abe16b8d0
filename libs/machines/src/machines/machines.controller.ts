import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { CreateMachineDto, ListMachinesQueryDto, MachineDto, MachinePageDto, SetMachineStatusDto, UpdateMachineDto } from './machine.dto.js';
import { MachinesService } from './machines.service.js';

@ApiTags('machines')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('machines')
export class MachinesController {
  constructor(private readonly machines: MachinesService) {}

  /** List machines with filters (workcell, category, status, backend, definition). */
  @Get()
  async listMachines(@Query() query: ListMachinesQueryDto): Promise<MachinePageDto> {
    const page = await this.machines.list(query);
    return { ...page, items: page.items.map(MachineDto.from) };
  }

  /** Add a machine to a workcell (admin); its connection config is checked against the backend's schema. */
  @Post()
  @Roles(Role.Admin)
  async createMachine(@Body() dto: CreateMachineDto): Promise<MachineDto> {
    return MachineDto.from(await this.machines.create(dto));
  }

  /** Get one machine. */
  @Get(':id')
  async getMachine(@Param('id', UuidPipe) id: string): Promise<MachineDto> {
    return MachineDto.from(await this.machines.get(id));
  }

  /** Rename, re-property or reconfigure (backend, connection config) a machine (admin); reconfiguring is refused while a run uses it. */
  @Patch(':id')
  @Roles(Role.Admin)
  async updateMachine(@Param('id', UuidPipe) id: string, @Body() dto: UpdateMachineDto): Promise<MachineDto> {
    return MachineDto.from(await this.machines.update(id, dto));
  }

  /** Delete a machine no run uses and no deck refers to (admin). */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  async deleteMachine(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.machines.remove(id);
  }

  /**
   * Set an operator-driven status (operator): available, maintenance or offline, under the
   * transition table; in_use is set and cleared only by the execution engine.
   */
  @Patch(':id/status')
  @Roles(Role.Operator)
  async setMachineStatus(@Param('id', UuidPipe) id: string, @Body() dto: SetMachineStatusDto): Promise<MachineDto> {
    return MachineDto.from(await this.machines.setStatus(id, dto));
  }
}
