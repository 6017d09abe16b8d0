// Test support for the example protocols: the demo layout (`demo_layout`) built as a live
// STARlet deck with the catalog, a simulated liquid handler on it, and a RunHooks that records a
// run for tests that need what happened before a failure (runProtocol throws then).
import {
  buildDeckLayout,
  createLabware,
  getDeckType,
  LiquidHandler,
  LiquidHandlerSimulator,
  Plate,
  TipRack,
  type CommandEvent,
  type Deck,
  type LayoutPlacement,
} from '@praxis/hardware';
import type { InputValidation, JsonValue, LogEntry, OutputRecord, RunHooks, StepEnd, StepStart } from '@praxis/protocol';

/** The demo layout: tips on rails 1 (two racks), source and destination plates on rails 9. */
export const DEMO_LAYOUT: LayoutPlacement[] = [
  { name: 'tip_car', definition: 'TIP_CAR_480_A00', rails: 1 },
  { name: 'tips_1000_1', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 0 },
  { name: 'tips_1000_2', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 1 },
  { name: 'plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
  { name: 'source_plate', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 0 },
  { name: 'destination_plate', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 1 },
];

export interface DemoBench {
  deck: Deck;
  lh: LiquidHandler;
  sim: LiquidHandlerSimulator;
  tips: TipRack;
  tips2: TipRack;
  source: Plate;
  destination: Plate;
  /** Every command the liquid handler sent after setup. */
  events: CommandEvent[];
  /** How many commands of each kind were sent. */
  counts(): Record<string, number>;
}

function get<T>(deck: Deck, name: string, type: new (...args: never[]) => T): T {
  const r = deck.getResource(name);
  if (!(r instanceof type)) throw new Error(`${name} is not a ${type.name}`);
  return r;
}

/** The demo deck with a set-up simulated STARlet (8 channels); commands are recorded from here on. */
export async function demoBench(): Promise<DemoBench> {
  const deck = buildDeckLayout(getDeckType('STARletDeck'), DEMO_LAYOUT, createLabware);
  const sim = new LiquidHandlerSimulator({ numChannels: 8 });
  const lh = new LiquidHandler({ name: 'starlet', backend: sim, deck });
  await lh.setup();
  const events: CommandEvent[] = [];
  lh.onCommand((e) => events.push(e));
  return {
    deck,
    lh,
    sim,
    tips: get(deck, 'tips_1000_1', TipRack),
    tips2: get(deck, 'tips_1000_2', TipRack),
    source: get(deck, 'source_plate', Plate),
    destination: get(deck, 'destination_plate', Plate),
    events,
    counts: () => events.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.command]: (acc[e.command] ?? 0) + 1 }), {}),
  };
}

/** A RunHooks for executeProtocol that keeps everything, answering prompts with `answer` (or the defaults). */
export function recordingHooks(answer?: unknown) {
  const steps: Array<StepStart & Partial<StepEnd>> = [];
  const logs: LogEntry[] = [];
  const outputs: OutputRecord[] = [];
  const hooks: RunHooks = {
    stepStarted: (s) => void steps.push({ ...s }),
    stepEnded: (e) => void Object.assign(steps.find((s) => s.seq === e.seq)!, e),
    log: (l) => void logs.push(l),
    output: (o) => void outputs.push(o),
    requestInput: async (_request, validate: (values: unknown) => InputValidation): Promise<Record<string, JsonValue>> => {
      const r = validate(answer ?? {});
      if (!r.ok) throw new Error(r.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
      return r.value;
    },
  };
  return { hooks, steps, logs, outputs };
}

/** Depth of each step below the root (the root is 0), by sequence number. */
export function depths(steps: Array<{ seq: number; parentSeq: number | null }>): Map<number, number> {
  const parent = new Map(steps.map((s) => [s.seq, s.parentSeq]));
  const out = new Map<number, number>();
  for (const s of steps) {
    let d = 0;
    for (let p = s.parentSeq; p !== null; p = parent.get(p) ?? null) d++;
    out.set(s.seq, d);
  }
  return out;
}
