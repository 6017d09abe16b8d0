// Child side: a dry run of one protocol on simulators, against a copy of a deck. Nothing real is
// touched. The first physical-rule violation stops the protocol (a robot would stop there too)
// and is reported with the step, command, resource and channel it concerns.
import * as hw from '@praxis/hardware';
import {
  Container,
  createMachine,
  MachineDriverError,
  deserializeResource,
  Machine,
  setTipTracking,
  setVolumeTracking,
  type CommandEvent,
  type Deck,
  type Resource,
} from '@praxis/hardware';
import {
  currentStepSeq,
  executeProtocol,
  failedStep,
  ParameterError,
  type InputRequest,
  type InputValidation,
  type JsonValue,
  type ProtocolDefinition,
  type RunHooks,
} from '@praxis/protocol';
import type { SimulateJob, SimulationMachine, SimulationReport, Violation } from './messages.js';

/** A problem with what the simulation was given (not with the protocol's behaviour). */
export class SimulationSetupError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'SimulationSetupError';
  }
}

/** The simulator of a machine (the hardware library's factory, with the time model on). */
function simulatorOf(m: SimulationMachine, deck: Deck | null): Machine {
  try {
    return createMachine({ name: m.name, category: m.category, backend: 'simulator', connectionConfig: { ...m.config, timeModel: true } }, deck);
  } catch (err) {
    if (!(err instanceof MachineDriverError)) throw err;
    if (err.reason === 'no-deck') throw new SimulationSetupError('deckLayoutId', `${m.name} (a liquid handler) needs a deck: pass deckLayoutId, or give the protocol a deckLayout`);
    throw new SimulationSetupError('assets', `there is no simulator for machines of category ${m.category} (${m.name})`);
  }
}

function fillLiquids(deck: Deck, liquids: Record<string, number>): void {
  for (const [name, volume] of Object.entries(liquids)) {
    const field = `liquids.${name}`;
    if (!deck.hasResource(name)) throw new SimulationSetupError(field, `${field}: there is no resource named ${name} on the deck`);
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0) throw new SimulationSetupError(field, `${field}: must be a volume in µL (≥ 0)`);
    const containers = deck.getResource(name).descendantsAndSelf().filter((r): r is Container => r instanceof Container);
    if (!containers.length) throw new SimulationSetupError(field, `${field}: ${name} holds no liquid containers`);
    try {
      for (const c of containers) c.setVolume(volume);
    } catch (err) {
      throw new SimulationSetupError(field, `${field}: ${(err as Error).message}`);
    }
  }
}

function matchResources(def: ProtocolDefinition, deck: Deck | null, given: Record<string, string>): Record<string, Resource | undefined> {
  const out: Record<string, Resource | undefined> = {};
  const used = new Set<string>(Object.values(given));
  const all = deck ? deck.descendantsAndSelf() : [];
  for (const [key, req] of Object.entries(def.assets)) {
    if (req.kind !== 'resource') continue;
    const name = given[key];
    if (name !== undefined) {
      if (!deck?.hasResource(name)) throw new SimulationSetupError(`assets.${key}`, `assets.${key}: ${name} is not on the simulated deck`);
      const r = deck.getResource(name);
      if (r.category !== req.category) throw new SimulationSetupError(`assets.${key}`, `assets.${key}: ${name} is a ${r.category}, the protocol needs a ${req.category}`);
      out[key] = r;
      continue;
    }
    const match = all.find((r) => r.category === req.category && (!req.model || r.model === req.model) && !used.has(r.name));
    if (!match) {
      if (req.optional) continue;
      throw new SimulationSetupError(`assets.${key}`, `assets.${key}: nothing on the deck is a ${req.category}${req.model ? ` of model ${req.model}` : ''} (and free)`);
    }
    used.add(match.name);
    out[key] = match;
  }
  return out;
}

/** What a front-end call was about: its method and the resources in its arguments. */
interface InFlight {
  machine: string;
  command: string;
  resources: string[];
  channels: number[] | null;
}

function resourceNames(args: unknown[]): string[] {
  const names: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (depth > 2 || !v || typeof v !== 'object') return;
    if (v instanceof hw.Resource) names.push(v.name);
    else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
  };
  args.forEach((a) => visit(a, 0));
  return names;
}

/** Wraps a machine so each front-end call in flight is known when something fails. */
function track(machine: Machine, inFlight: { current: InFlight | null }): Machine {
  return new Proxy(machine, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string' || prop === 'constructor' || prop.startsWith('_')) return v;
      return function (this: unknown, ...args: unknown[]) {
        const opts = args.find((a) => a && typeof a === 'object' && !Array.isArray(a) && 'useChannels' in (a as object)) as { useChannels?: number[] } | undefined;
        inFlight.current = { machine: target.name, command: prop, resources: resourceNames(args), channels: opts?.useChannels ?? null };
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function violationOf(err: unknown, inFlight: InFlight | null): Violation {
  const e = err instanceof Error ? err : new Error(String(err));
  const origin = failedStep(err);
  const channels = (e as { channels?: number[] }).channels;
  const message = e.message;
  let resource = inFlight?.resources.find((r) => message.includes(r)) ?? null;
  let channel: number | null = channels?.[0] ?? null;
  const m = /channel (\d+)/.exec(message);
  if (channel === null && m) channel = Number(m[1]);
  if (resource !== null && channel === null && inFlight) {
    const i = inFlight.resources.indexOf(resource);
    channel = inFlight.channels?.[i] ?? (inFlight.command.endsWith('96') ? null : i);
  }
  if (resource === null && inFlight?.resources.length === 1) resource = inFlight.resources[0]!;
  return {
    step: origin?.name ?? null,
    stepSeq: origin?.seq ?? null,
    command: inFlight ? `${inFlight.machine}.${inFlight.command}` : null,
    error: { name: e.name, message },
    resource,
    channel,
  };
}

export type Progress = (step: { seq: number; name: string }) => void;

export async function simulate(def: ProtocolDefinition, job: SimulateJob, progress: Progress): Promise<SimulationReport> {
  setTipTracking(true);
  setVolumeTracking(true);
  let deck: Deck | null = null;
  if (job.deck) {
    deck = deserializeResource(job.deck.layout) as Deck;
    if (job.deck.state) deck.loadAllState(job.deck.state);
  } else if (typeof def.deckLayout === 'function') {
    try {
      deck = await def.deckLayout(hw);
    } catch (err) {
      throw new SimulationSetupError('deckLayout', `the protocol's deckLayout function failed: ${(err as Error).message}`);
    }
    if (!(deck instanceof hw.Deck)) throw new SimulationSetupError('deckLayout', "the protocol's deckLayout function did not return a Deck");
  }
  if (job.liquids) {
    if (!deck) throw new SimulationSetupError('liquids', 'liquids: there is no deck to fill');
    fillLiquids(deck, job.liquids);
  }

  const assets: Record<string, unknown> = {};
  const used: Record<string, string> = {};
  const inFlight: { current: InFlight | null } = { current: null };
  const machines: Machine[] = [];
  for (const [key, req] of Object.entries(def.assets)) {
    if (req.kind !== 'machine') continue;
    const m = job.machines[key] ?? { name: key, category: req.category, model: req.model ?? null };
    if (m.category !== req.category) throw new SimulationSetupError(`assets.${key}`, `assets.${key}: ${m.name} is a ${m.category}, the protocol needs a ${req.category}`);
    const machine = simulatorOf(m, deck);
    await machine.setup();
    machines.push(machine);
    assets[key] = track(machine, inFlight);
    used[key] = m.name;
  }
  for (const [key, r] of Object.entries(matchResources(def, deck, job.resources))) {
    if (!r) continue;
    assets[key] = r;
    used[key] = r.name;
  }

  const commands: SimulationReport['commands'] = [];
  let estimatedS = 0;
  const perStep = new Map<number, number>();
  const onCommand = (e: CommandEvent) => {
    const stepSeq = currentStepSeq();
    commands.push({ seq: commands.length + 1, machine: e.machine, command: e.command, stepSeq, ok: !e.error });
    if (stepSeq !== null) perStep.set(stepSeq, (perStep.get(stepSeq) ?? 0) + 1);
    estimatedS += e.estimatedS ?? 0;
  };
  const unsubscribe = machines.map((m) => m.onCommand(onCommand));

  const steps: SimulationReport['steps'] = [];
  const logs: SimulationReport['logs'] = [];
  const outputs: SimulationReport['outputs'] = [];
  const inputs: SimulationReport['inputs'] = [];
  const hooks: RunHooks = {
    stepStarted: (s) => {
      steps.push({ seq: s.seq, parentSeq: s.parentSeq, name: s.name, status: 'running', durationMs: null, commandCount: 0 });
      progress(s);
    },
    stepEnded: (s) => {
      const rec = steps.find((x) => x.seq === s.seq);
      if (rec) Object.assign(rec, { status: s.status, durationMs: Math.round(s.durationMs * 1000) / 1000 });
    },
    log: (l) => logs.push({ level: l.level, message: l.message, stepSeq: l.stepSeq }),
    output: (o) => outputs.push({ name: o.name, type: o.type, value: o.value, stepSeq: o.stepSeq }),
    requestInput: async (req: InputRequest, validate: (v: unknown) => InputValidation) => {
      const r = validate({});
      if (!r.ok) throw new ParameterError(r.issues.map((i) => ({ field: i.field, message: `the simulation answers prompts with the fields' defaults, and this field has none (${i.message})` })));
      inputs.push({ prompt: req.prompt, answer: r.value });
      return r.value as Record<string, JsonValue>;
    },
  };

  const violations: Violation[] = [];
  const runState: Record<string, unknown> = {};
  const onStateChange = (key: string, value: JsonValue | undefined) => {
    if (value === undefined) delete runState[key];
    else runState[key] = value;
  };
  try {
    await executeProtocol(def, { parameters: job.parameters, assets, hooks, onStateChange });
  } catch (err) {
    if (err instanceof ParameterError && !steps.length) throw err;
    violations.push(violationOf(err, inFlight.current));
  }
  for (const s of steps) s.commandCount = perStep.get(s.seq) ?? 0;
  for (const off of unsubscribe) off();
  for (const m of machines) await m.stop().catch(() => undefined);
  return {
    passed: violations.length === 0,
    violations,
    commandCount: commands.length,
    commands,
    steps,
    estimatedDurationS: Math.round(estimatedS * 10) / 10,
    finalState: { deck: deck ? deck.serializeAllState() : null, run: runState },
    outputs,
    logs,
    inputs,
    assets: used,
  };
}
