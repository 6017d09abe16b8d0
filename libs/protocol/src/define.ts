import type {
  Deck,
  HeaterShaker,
  LiquidHandler,
  Plate,
  PlateReader,
  Resource,
  Scale,
  TipRack,
  Trough,
  TubeRack,
  Machine,
  Container,
} from '@praxis/hardware';
import { z } from 'zod';
import type { RunContext } from './context.js';

/** What a protocol needs to run: a machine or a resource of a category (and optionally a model). */
export interface AssetRequirement {
  kind: 'machine' | 'resource';
  /** Machine category (`LiquidHandler`, `PlateReader`...) or resource category (`plate`, `tip_rack`...). */
  category: string;
  /** A definition / machine model name, when only one will do. */
  model?: string;
  /** The run starts without it when nothing matches. */
  optional?: boolean;
  description?: string;
}

type MachineFor<C> = C extends 'LiquidHandler'
  ? LiquidHandler
  : C extends 'PlateReader'
    ? PlateReader
    : C extends 'HeaterShaker'
      ? HeaterShaker
      : C extends 'Scale'
        ? Scale
        : Machine;

type ResourceFor<C> = C extends 'plate'
  ? Plate
  : C extends 'tip_rack'
    ? TipRack
    : C extends 'trough'
      ? Trough
      : C extends 'tube_rack'
        ? TubeRack
        : C extends 'well' | 'tube' | 'container'
          ? Container
          : Resource;

/** The live object a requirement resolves to in a run. */
export type AssetFor<R extends AssetRequirement> = (R['kind'] extends 'machine' ? MachineFor<R['category']> : ResourceFor<R['category']>) | (R['optional'] extends true ? undefined : never);

export type AssetsFor<A extends Record<string, AssetRequirement>> = { [K in keyof A]: AssetFor<A[K]> };

/** The hardware objects a deck-layout function can use to build a deck. */
export type DeckLayoutBuilder = (hardware: typeof import('@praxis/hardware')) => Deck | Promise<Deck>;

/** Any zod object schema (what `parameters` and input `fields` are). */
export type ParametersSchema = z.ZodObject<z.ZodRawShape>;

export interface ProtocolSpec<P extends ParametersSchema, A extends Record<string, AssetRequirement>> {
  name: string;
  version: string;
  description?: string;
  category?: string;
  tags?: string[];
  parameters?: P;
  assets?: A;
  /** The name of a stored deck layout, or a function that builds the deck. */
  deckLayout?: string | DeckLayoutBuilder;
  /** What the operator must do before starting (shown before a run). */
  setupInstructions?: string | string[];
  run(ctx: RunContext<z.output<P>, AssetsFor<A>>): Promise<unknown> | unknown;
}

/** A protocol as `defineProtocol` returns it: the spec, checked and frozen. */
export interface ProtocolDefinition<P extends ParametersSchema = ParametersSchema, A extends Record<string, AssetRequirement> = Record<string, AssetRequirement>> {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly category?: string;
  readonly tags: readonly string[];
  readonly parameters: P;
  readonly assets: Readonly<A>;
  readonly deckLayout?: string | DeckLayoutBuilder;
  readonly setupInstructions: readonly string[];
  readonly run: ProtocolSpec<P, A>['run'];
}

const BRAND = Symbol.for('praxis.protocol.definition');
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
export const VERSION_PATTERN = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** A protocol definition that cannot be accepted; `field` names the offending part of the spec. */
export class ProtocolDefinitionError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ProtocolDefinitionError';
  }
}

function isZodObject(v: unknown): v is ParametersSchema {
  return v instanceof z.ZodObject;
}

/**
 * Declares a protocol. Checks the spec (a clear error naming the field when something is wrong)
 * and returns it frozen, marked so that discovery finds it among a module's exports.
 */
export function defineProtocol<const P extends ParametersSchema = z.ZodObject<{}>, const A extends Record<string, AssetRequirement> = {}>(
  spec: ProtocolSpec<P, A>,
): ProtocolDefinition<P, A> {
  if (!spec || typeof spec !== 'object') throw new ProtocolDefinitionError('spec', 'defineProtocol takes one object');
  if (typeof spec.name !== 'string' || !NAME_PATTERN.test(spec.name))
    throw new ProtocolDefinitionError('name', `must start with a letter and hold only letters, digits, "_", "." and "-" (at most 100), got ${JSON.stringify(spec.name)}`);
  if (typeof spec.version !== 'string' || !VERSION_PATTERN.test(spec.version))
    throw new ProtocolDefinitionError('version', `must be a semantic version such as 1.0.0, got ${JSON.stringify(spec.version)}`);
  for (const f of ['description', 'category'] as const) {
    if (spec[f] !== undefined && typeof spec[f] !== 'string') throw new ProtocolDefinitionError(f, 'must be a string');
  }
  if (spec.tags !== undefined && (!Array.isArray(spec.tags) || spec.tags.some((t) => typeof t !== 'string' || !t)))
    throw new ProtocolDefinitionError('tags', 'must be an array of non-empty strings');
  const parameters = spec.parameters ?? (z.object({}) as unknown as P);
  if (!isZodObject(parameters)) throw new ProtocolDefinitionError('parameters', 'must be a zod object schema, e.g. z.object({ volume: z.number() })');
  const assets = (spec.assets ?? {}) as A;
  if (typeof assets !== 'object' || Array.isArray(assets)) throw new ProtocolDefinitionError('assets', 'must be an object of requirements');
  for (const [key, r] of Object.entries(assets)) {
    const at = `assets.${key}`;
    if (!r || typeof r !== 'object') throw new ProtocolDefinitionError(at, 'must be { kind, category, model?, optional? }');
    if (r.kind !== 'machine' && r.kind !== 'resource') throw new ProtocolDefinitionError(`${at}.kind`, `must be "machine" or "resource", got ${JSON.stringify(r.kind)}`);
    if (typeof r.category !== 'string' || !r.category) throw new ProtocolDefinitionError(`${at}.category`, 'must be a non-empty string');
    if (r.model !== undefined && (typeof r.model !== 'string' || !r.model)) throw new ProtocolDefinitionError(`${at}.model`, 'must be a non-empty string');
    if (r.optional !== undefined && typeof r.optional !== 'boolean') throw new ProtocolDefinitionError(`${at}.optional`, 'must be a boolean');
  }
  if (spec.deckLayout !== undefined && typeof spec.deckLayout !== 'string' && typeof spec.deckLayout !== 'function')
    throw new ProtocolDefinitionError('deckLayout', 'must be a layout name or a function that builds a deck');
  const setup = spec.setupInstructions === undefined ? [] : Array.isArray(spec.setupInstructions) ? spec.setupInstructions : [spec.setupInstructions];
  if (setup.some((s) => typeof s !== 'string')) throw new ProtocolDefinitionError('setupInstructions', 'must be a string or an array of strings');
  if (typeof spec.run !== 'function') throw new ProtocolDefinitionError('run', 'must be a function');

  const definition: ProtocolDefinition<P, A> = {
    name: spec.name,
    version: spec.version,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.category !== undefined ? { category: spec.category } : {}),
    tags: Object.freeze([...(spec.tags ?? [])]),
    parameters,
    assets: Object.freeze({ ...assets }),
    ...(spec.deckLayout !== undefined ? { deckLayout: spec.deckLayout } : {}),
    setupInstructions: Object.freeze([...setup]),
    run: spec.run,
  };
  Object.defineProperty(definition, BRAND, { value: true });
  return Object.freeze(definition);
}

export function isProtocolDefinition(v: unknown): v is ProtocolDefinition {
  return !!v && typeof v === 'object' && (v as Record<symbol, unknown>)[BRAND] === true;
}

/** JSON Schema of a zod schema as a form needs it (input side: defaults shown, not required). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The metadata of a definition, as discovery reports it and the API stores it. */
export interface ProtocolMetadata {
  name: string;
  version: string;
  description: string | null;
  category: string | null;
  tags: string[];
  parametersSchema: Record<string, unknown>;
  assets: Record<string, AssetRequirement>;
  deckLayout: { kind: 'name'; name: string } | { kind: 'function' } | null;
  setupInstructions: string[];
}

export function describeProtocol(def: ProtocolDefinition): ProtocolMetadata {
  return {
    name: def.name,
    version: def.version,
    description: def.description ?? null,
    category: def.category ?? null,
    tags: [...def.tags],
    parametersSchema: jsonSchemaOf(def.parameters),
    assets: JSON.parse(JSON.stringify(def.assets)) as Record<string, AssetRequirement>,
    deckLayout: def.deckLayout === undefined ? null : typeof def.deckLayout === 'string' ? { kind: 'name', name: def.deckLayout } : { kind: 'function' },
    setupInstructions: [...def.setupInstructions],
  };
}
