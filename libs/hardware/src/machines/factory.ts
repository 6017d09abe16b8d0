// Live machines from what a machines row says: the backend named on it with its (validated)
// connection config, behind the front end of its category. The worker builds a workcell's machines
// with it, and a dry run its simulators (backend `simulator`).
import { createStarBackend } from '../backends/hamilton/index.js';
import { createSerialBackend } from '../backends/serial/index.js';
import type { Deck } from '../resources/deck.js';
import { HeaterShaker, HeaterShakerSimulator } from './heater-shaker/index.js';
import { LiquidHandler, LiquidHandlerSimulator } from './liquid-handler/index.js';
import type { Machine } from './machine.js';
import { PlateReader, PlateReaderSimulator } from './plate-reader/index.js';
import { Scale, ScaleSimulator } from './scale/index.js';

export interface MachineSpec {
  name: string;
  category: string;
  /** A backend of the machine's definition, e.g. `simulator`, `hamilton-star-usb`. */
  backend: string;
  connectionConfig?: Record<string, unknown>;
}

/** A machine that cannot be built: a liquid handler without a deck, or no driver for its backend. */
export class MachineDriverError extends Error {
  constructor(
    message: string,
    readonly reason: 'no-deck' | 'no-driver',
  ) {
    super(message);
    this.name = 'MachineDriverError';
  }
}

export function createMachine(spec: MachineSpec, deck: Deck | null): Machine {
  const cfg = spec.connectionConfig ?? {};
  const sim = spec.backend === 'simulator';
  switch (spec.category) {
    case 'LiquidHandler': {
      if (!deck) throw new MachineDriverError(`${spec.name}: a liquid handler needs a deck`, 'no-deck');
      if (sim) {
        const backend = new LiquidHandlerSimulator({
          numChannels: typeof cfg.numChannels === 'number' ? cfg.numChannels : 8,
          has96Head: cfg.has96Head !== false,
          hasGripper: cfg.hasGripper !== false,
          timeModel: cfg.timeModel === true,
          ...(typeof cfg.realTimeSpeed === 'number' ? { realTimeSpeed: cfg.realTimeSpeed } : {}),
        });
        return new LiquidHandler({ name: spec.name, backend, deck });
      }
      if (spec.backend === 'hamilton-star-usb') return new LiquidHandler({ name: spec.name, backend: createStarBackend(cfg), deck });
      break;
    }
    case 'PlateReader':
      if (sim) return new PlateReader(spec.name, new PlateReaderSimulator());
      break;
    case 'HeaterShaker':
      if (sim) return new HeaterShaker(spec.name, new HeaterShakerSimulator());
      if (spec.backend === 'qinstruments-bioshake-serial') return new HeaterShaker(spec.name, createSerialBackend('qinstruments-bioshake-serial', cfg as never));
      break;
    case 'Scale':
      if (sim) return new Scale(spec.name, new ScaleSimulator());
      if (spec.backend === 'mettler-sics-serial') return new Scale(spec.name, createSerialBackend('mettler-sics-serial', cfg as never));
      break;
  }
  throw new MachineDriverError(`${spec.name}: no driver for backend "${spec.backend}" of a ${spec.category}`, 'no-driver');
}
