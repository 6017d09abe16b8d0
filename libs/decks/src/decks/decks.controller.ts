import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { UuidPipe } from '@praxis/common';
import { CreateDeckDto, DeckDto, DeckPageDto, DeckStateDto, ListDecksQueryDto, UpdateDeckDto } from './deck.dto.js';
import { DecksService } from './decks.service.js';

@ApiTags('decks')
@ApiBearerAuth()
@Roles(Role.Viewer)
@Controller('decks')
export class DecksController {
  constructor(private readonly decks: DecksService) {}

  /** List decks. */
  @Get()
  async listDecks(@Query() query: ListDecksQueryDto): Promise<DeckPageDto> {
    const page = await this.decks.list(query);
    return { ...page, items: page.items.map(DeckDto.from) };
  }

  /** Get one deck. */
  @Get(':id')
  async getDeck(@Param('id', UuidPipe) id: string): Promise<DeckDto> {
    return DeckDto.from(await this.decks.get(id));
  }

  /** The deck's tips and liquids as last saved by the worker, by resource name (live changes come as `deck.state` events). */
  @Get(':id/state')
  async getDeckState(@Param('id', UuidPipe) id: string): Promise<DeckStateDto> {
    return this.decks.state(id);
  }

  /** Create a deck (admin): a deck type in a workcell, optionally a machine's and with a layout on it. */
  @Post()
  @Roles(Role.Admin)
  async createDeck(@Body() dto: CreateDeckDto): Promise<DeckDto> {
    return DeckDto.from(await this.decks.create(dto));
  }

  /** Rename a deck, attach it to a machine or put another layout on it (admin). */
  @Patch(':id')
  @Roles(Role.Admin)
  async updateDeck(@Param('id', UuidPipe) id: string, @Body() dto: UpdateDeckDto): Promise<DeckDto> {
    return DeckDto.from(await this.decks.update(id, dto));
  }

  /** Delete a deck (admin). */
  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  async deleteDeck(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.decks.remove(id);
  }
}
