import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { CreateDeckTypeDto, DeckTypeDto, DeckTypePageDto, ListDeckTypesQueryDto } from './deck-type.dto.js';
import { DeckTypesService } from './deck-types.service.js';

@ApiTags('decks')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('decks/types')
export class DeckTypesController {
  constructor(private readonly types: DeckTypesService) {}

  /** List deck types (the synced catalog and custom ones). */
  @Get()
  async listDeckTypes(@Query() query: ListDeckTypesQueryDto): Promise<DeckTypePageDto> {
    const page = await this.types.list(query);
    return { ...page, items: page.items.map((t) => DeckTypeDto.from(t, this.types.basedOn(t))) };
  }

  /** Get one deck type with its positions. */
  @Get(':id')
  async getDeckType(@Param('id', UuidPipe) id: string): Promise<DeckTypeDto> {
    const t = await this.types.get(id);
    return DeckTypeDto.from(t, this.types.basedOn(t));
  }

  /**
   * Add a custom deck type (admin): a new name for the geometry of an existing deck type
   * (`basedOn`), since the hardware library builds only the geometries it knows.
   */
  @Post()
  @Roles(Role.Admin)
  async createDeckType(@Body() dto: CreateDeckTypeDto): Promise<DeckTypeDto> {
    const t = await this.types.create(dto);
    return DeckTypeDto.from(t, this.types.basedOn(t));
  }
}
