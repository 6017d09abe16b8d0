// Live machines from their rows: the backend named on the machine with its (validated) connection
// config, behind the front end of its category.
import {
  createSerialBackend,
  createStarBackend,
  type Deck,
  HeaterShaker,
  HeaterShakerSimulator,
  LiquidHandler,
  LiquidHandlerSimulator,
  type Machine,
  PlateReader,
  PlateReaderSimulator,
  Scale,
  ScaleSimulator,
} from '@praxis/hardware';

export interface MachineRow {
  id: string;
  name: string;
  category: string;
  backend: string;
  connectionConfig: Record<string, unknown>;
}

export class MachineDriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineDriverError';
  }
}

export function createLiveMachine(row: MachineRow, deck: Deck | null): Machine {
  const cfg = row.connectionConfig ?? {};
  const sim = row.backend === 'simulator';
  switch (row.category) {
    case 'LiquidHandler': {
      if (!deck) throw new MachineDriverError(`${row.name}: a liquid handler needs a deck with a layout (decks table)`);
      if (sim) {
        const backend = new LiquidHandlerSimulator({
          numChannels: typeof cfg.numChannels === 'number' ? cfg.numChannels : 8,
          has96Head: cfg.has96Head !== false,
          hasGripper: cfg.hasGripper !== false,
          timeModel: cfg.timeModel === true,
        });
        return new LiquidHandler({ name: row.name, backend, deck });
      }
      if (row.backend === 'hamilton-star-usb') return new LiquidHandler({ name: row.name, backend: createStarBackend(cfg), deck });
      break;
    }
    case 'PlateReader':
      if (sim) return new PlateReader(row.name, new PlateReaderSimulator());
      break;
    case 'HeaterShaker':
      if (sim) return new HeaterShaker(row.name, new HeaterShakerSimulator());
      if (row.backend === 'qinstruments-bioshake-serial') return new HeaterShaker(row.name, createSerialBackend('qinstruments-bioshake-serial', cfg as never));
      break;
    case 'Scale':
      if (sim) return new Scale(row.name, new ScaleSimulator());
      if (row.backend === 'mettler-sics-serial') return new Scale(row.name, createSerialBackend('mettler-sics-serial', cfg as never));
      break;
  }
  throw new MachineDriverError(`${row.name}: no driver for backend "${row.backend}" of a ${row.category}`);
}
