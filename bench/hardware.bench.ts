// npm run bench:hardware — the 96-well plate replication on a STARlet deck (simulator backend,
// tip and volume tracking on, command events on). One JSON line per case:
// {"backend","mode","ops","setup_s","loop_s","per_op_us","rss_mb","check"}
// Figures, not a pass/fail test: compare cases within one run.
import {
  createLabware,
  LiquidHandler,
  LiquidHandlerSimulator,
  type Plate,
  type PlateCarrier,
  STARletDeck,
  type TipCarrier,
  type TipRack,
} from '../libs/hardware/src/index.js';
import { createStarBackend, createTransportPair, StarFirmwareSimulator } from '../libs/hardware/src/backends/hamilton/index.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 30);

type BackendKind = 'simulator' | 'star';

/** The `star` case: StarBackend over the in-memory transport to the StarFirmwareSimulator. */
async function starBackend() {
  const [host, device] = createTransportPair();
  await new StarFirmwareSimulator(device, { numChannels: 8, initialized: true, record: false }).start();
  return createStarBackend({ numChannels: 8 }, host);
}

async function build(kind: BackendKind = 'simulator') {
  const deck = STARletDeck();
  const tipCar = createLabware('TIP_CAR_480_A00', 'tip_car') as TipCarrier;
  deck.assignOnRails(tipCar, 1);
  const tips = createLabware('hamilton_96_tiprack_1000uL', 'tips') as TipRack;
  tipCar.assign(tips, 0);
  const plateCar = createLabware('PLT_CAR_L5AC_A00', 'plate_car') as PlateCarrier;
  deck.assignOnRails(plateCar, 9);
  const source = createLabware('cor_96_wellplate_360uL_Fb', 'source') as Plate;
  const dest = createLabware('cor_96_wellplate_360uL_Fb', 'dest') as Plate;
  plateCar.assign(source, 0);
  plateCar.assign(dest, 1);
  source.fill(200);
  const backend = kind === 'star' ? await starBackend() : new LiquidHandlerSimulator({ numChannels: 8 });
  const lh = new LiquidHandler({ name: 'starlet', backend, deck });
  let events = 0;
  lh.onCommand(() => {
    events++;
  });
  await lh.setup();
  return { lh, tips, source, dest, events: () => events };
}

async function singleChannel(lh: LiquidHandler, tips: TipRack, source: Plate, dest: Plate): Promise<number> {
  const spots = tips.wells();
  const src = source.wells();
  const dst = dest.wells();
  const ch0 = { useChannels: [0] };
  for (let i = 0; i < 96; i++) {
    await lh.pickUpTips([spots[i]], ch0);
    await lh.aspirate([src[i]], [50], ch0);
    await lh.dispense([dst[i]], [50], ch0);
    await lh.dropTips([spots[i]], ch0);
  }
  return 384;
}

async function eightChannel(lh: LiquidHandler, tips: TipRack, source: Plate, dest: Plate): Promise<number> {
  const v = Array(8).fill(50);
  for (let c = 1; c <= 12; c++) {
    const spots = tips.column(c);
    await lh.pickUpTips(spots);
    await lh.aspirate(source.column(c), v);
    await lh.dispense(dest.column(c), v);
    await lh.dropTips(spots);
  }
  return 48;
}

function check(tips: TipRack, source: Plate, dest: Plate, lh: LiquidHandler): boolean {
  return (
    source.wells().every((w) => Math.abs(w.volume - 150) < 1e-9) &&
    dest.wells().every((w) => Math.abs(w.volume - 50) < 1e-9) &&
    tips.tipCount === 96 &&
    lh.channels.every((c) => !c.hasTip)
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(mode: '1ch' | '8ch', loop: typeof singleChannel, kind: BackendKind = 'simulator'): Promise<void> {
  const setups: number[] = [];
  const loops: number[] = [];
  let ops = 0;
  let ok = true;
  let eventsSeen = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const { lh, tips, source, dest, events } = await build(kind);
    const t1 = performance.now();
    ops = await loop(lh, tips, source, dest);
    const t2 = performance.now();
    setups.push((t1 - t0) / 1000);
    loops.push((t2 - t1) / 1000);
    ok = ok && check(tips, source, dest, lh) && events() === ops + 1;
    eventsSeen = events();
    if (kind === 'star') await lh.stop();
  }
  const loopS = median(loops);
  const line = {
    backend: kind,
    mode,
    ops,
    setup_s: Number(median(setups).toFixed(6)),
    loop_s: Number(loopS.toFixed(6)),
    per_op_us: Number(((loopS / ops) * 1e6).toFixed(2)),
    rss_mb: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)),
    check: ok,
    repeats: REPEATS,
    events_per_run: eventsSeen,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

await run('1ch', singleChannel);
await run('8ch', eightChannel);
await run('1ch', singleChannel, 'star');
await run('8ch', eightChannel, 'star');
