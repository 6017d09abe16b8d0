import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '@praxis/assets';
import { DeckLayout } from './deck-layout.entity.js';
import { DeckType } from './deck-type.entity.js';
import { DeckTypesController } from './deck-types/deck-types.controller.js';
import { DeckTypesService } from './deck-types/deck-types.service.js';
import { Deck } from './deck.entity.js';
import { DecksController } from './decks/decks.controller.js';
import { DecksService } from './decks/decks.service.js';
import { DeckLayoutsController } from './layouts/deck-layouts.controller.js';
import { DeckLayoutsService } from './layouts/deck-layouts.service.js';

/** Deck types (catalog), decks and deck layouts. */
@Module({
  imports: [TypeOrmModule.forFeature([DeckType, Deck, DeckLayout]), AssetsModule],
  // Deck types before decks: /decks/types must not be taken for /decks/:id.
  controllers: [DeckTypesController, DecksController, DeckLayoutsController],
  providers: [DeckTypesService, DecksService, DeckLayoutsService],
  exports: [TypeOrmModule, DeckTypesService, DecksService, DeckLayoutsService],
})
export class DecksModule {}
