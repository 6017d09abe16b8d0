import { BIOSHAKE_CONFIG_SCHEMA, type JsonSchema, METTLER_SICS_CONFIG_SCHEMA } from '../../machines/registry.js';
import type { HeaterShakerBackend } from '../../machines/heater-shaker/backend.js';
import type { ScaleBackend } from '../../machines/scale/backend.js';
import { BioShakeHeaterShakerBackend, type BioShakeSerialConfig } from './bioshake.js';
import { MettlerSicsScaleBackend, type MettlerSicsSerialConfig } from './mettler-sics.js';
import type { SerialBackendOptions } from './transport.js';

/** The serial backends this folder provides, by the backend name stored on machines. */
export interface SerialBackendConfigs {
  'mettler-sics-serial': MettlerSicsSerialConfig;
  'qinstruments-bioshake-serial': BioShakeSerialConfig;
}

export interface SerialBackendTypes {
  'mettler-sics-serial': MettlerSicsScaleBackend;
  'qinstruments-bioshake-serial': BioShakeHeaterShakerBackend;
}

export type SerialBackendName = keyof SerialBackendConfigs;

export const SERIAL_BACKEND_NAMES: readonly SerialBackendName[] = ['mettler-sics-serial', 'qinstruments-bioshake-serial'];

/** Options besides the config: a replacement or wrapped transport, a label. */
export type CreateSerialBackendOptions = SerialBackendOptions;

/** Thrown for an unknown backend name or a config that does not fit its backend. */
export class SerialBackendConfigError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'SerialBackendConfigError';
  }
}

/** JSON Schemas of the connection configs: the machine registry's (one definition for both). */
export const SERIAL_BACKEND_CONFIG_SCHEMAS: Record<SerialBackendName, JsonSchema> = {
  'mettler-sics-serial': METTLER_SICS_CONFIG_SCHEMA,
  'qinstruments-bioshake-serial': BIOSHAKE_CONFIG_SCHEMA,
};

function checkConfig(name: SerialBackendName, config: unknown): Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new SerialBackendConfigError(`${name}: the connection config must be an object such as { "port": "/dev/ttyUSB0" }`);
  const c = config as Record<string, unknown>;
  const schema = SERIAL_BACKEND_CONFIG_SCHEMAS[name] as { properties: Record<string, { type?: string; enum?: unknown[]; minimum?: number; maximum?: number }> };
  for (const [k, v] of Object.entries(c)) {
    const rule = schema.properties[k];
    if (!rule) throw new SerialBackendConfigError(`${name}: unknown config property "${k}" (allowed: ${Object.keys(schema.properties).join(', ')})`);
    if (v === undefined) continue;
    if (rule.enum && !rule.enum.includes(v)) throw new SerialBackendConfigError(`${name}: ${k} must be one of ${rule.enum.join(', ')}, got ${JSON.stringify(v)}`);
    if (rule.type === 'string' && (typeof v !== 'string' || v.length === 0)) throw new SerialBackendConfigError(`${name}: ${k} must be a non-empty string, got ${JSON.stringify(v)}`);
    if (rule.type === 'boolean' && typeof v !== 'boolean') throw new SerialBackendConfigError(`${name}: ${k} must be true or false, got ${JSON.stringify(v)}`);
    if (rule.type === 'integer' && (!Number.isInteger(v) || (rule.minimum !== undefined && (v as number) < rule.minimum) || (rule.maximum !== undefined && (v as number) > rule.maximum))) {
      throw new SerialBackendConfigError(`${name}: ${k} must be an integer between ${rule.minimum} and ${rule.maximum}, got ${JSON.stringify(v)}`);
    }
  }
  if (c.port === undefined) throw new SerialBackendConfigError(`${name}: port is required (e.g. "/dev/ttyUSB0")`);
  return c;
}

/**
 * Builds a serial backend from the backend name and the connection config stored on a machine:
 * `new Scale('balance', createSerialBackend('mettler-sics-serial', { port: '/dev/ttyUSB0' }))`.
 * Nothing is opened until the front end's `setup()`.
 */
export function createSerialBackend<N extends SerialBackendName>(name: N, config: SerialBackendConfigs[N], opts?: CreateSerialBackendOptions): SerialBackendTypes[N];
export function createSerialBackend(name: string, config: unknown, opts?: CreateSerialBackendOptions): ScaleBackend | HeaterShakerBackend;
export function createSerialBackend(name: string, config: unknown, opts: CreateSerialBackendOptions = {}): ScaleBackend | HeaterShakerBackend {
  switch (name) {
    case 'mettler-sics-serial':
      return new MettlerSicsScaleBackend(checkConfig(name, config) as unknown as MettlerSicsSerialConfig, opts);
    case 'qinstruments-bioshake-serial':
      return new BioShakeHeaterShakerBackend(checkConfig(name, config) as unknown as BioShakeSerialConfig, opts);
    default:
      throw new SerialBackendConfigError(`unknown serial backend "${name}" (known: ${SERIAL_BACKEND_NAMES.join(', ')})`);
  }
}
