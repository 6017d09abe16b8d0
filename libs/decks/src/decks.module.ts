import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeckLayout } from './deck-layout.entity.js';
import { DeckType } from './deck-type.entity.js';
import { Deck } from './deck.entity.js';

/** Deck types (catalog), decks and deck layouts. */
@Module({
  imports: [TypeOrmModule.forFeature([DeckType, Deck, DeckLayout])],
  controllers: [],
  providers: [],
  exports: [TypeOrmModule],
})
export class DecksModule {}
