import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import {
  CreateDeckLayoutDto,
  DeckLayoutDto,
  DeckLayoutPageDto,
  ListDeckLayoutsQueryDto,
  RenderedResourceDto,
  UpdateDeckLayoutDto,
} from './deck-layout.dto.js';
import { DeckLayoutsService } from './deck-layouts.service.js';

@ApiTags('deck-layouts')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('deck-layouts')
export class DeckLayoutsController {
  constructor(private readonly layouts: DeckLayoutsService) {}

  /** List deck layouts. */
  @Get()
  async listDeckLayouts(@Query() query: ListDeckLayoutsQueryDto): Promise<DeckLayoutPageDto> {
    const page = await this.layouts.list(query);
    return { ...page, items: page.items.map(DeckLayoutDto.from) };
  }

  /** Get one deck layout with its placements. */
  @Get(':id')
  async getDeckLayout(@Param('id', UuidPipe) id: string): Promise<DeckLayoutDto> {
    return DeckLayoutDto.from(await this.layouts.get(id));
  }

  /**
   * The layout built into a live deck by the hardware library and serialized (`deck.serialize()`):
   * the resource tree with sizes and locations a visualizer draws.
   */
  @Get(':id/render')
  async renderDeckLayout(@Param('id', UuidPipe) id: string): Promise<RenderedResourceDto> {
    return (await this.layouts.render(id)) as RenderedResourceDto;
  }

  /**
   * Create a deck layout (admin). Placements are checked against the deck type's geometry with
   * the hardware library: positions exist, nothing overlaps, each carrier site holds what it is
   * made for; a bad placement is a 400 naming `placements.<index>.<field>`.
   */
  @Post()
  @Roles(Role.Admin)
  async createDeckLayout(@Body() dto: CreateDeckLayoutDto): Promise<DeckLayoutDto> {
    return DeckLayoutDto.from(await this.layouts.create(dto));
  }

  /** Rename, describe or replace the placements of a deck layout (admin); placements are checked as on create. */
  @Patch(':id')
  @Roles(Role.Admin)
  async updateDeckLayout(@Param('id', UuidPipe) id: string, @Body() dto: UpdateDeckLayoutDto): Promise<DeckLayoutDto> {
    return DeckLayoutDto.from(await this.layouts.update(id, dto));
  }

  /** Delete a deck layout no deck uses (admin). */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  async deleteDeckLayout(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.layouts.remove(id);
  }
}
