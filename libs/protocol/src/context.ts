import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AssetRequirement, ProtocolDefinition } from './define.js';
import { jsonSchemaOf } from './define.js';
import { assertJson, toLoggable, type JsonValue } from './json.js';
import { currentFrame, errorOrigin, type InputValidation, type LogLevel, type RunFrame, type RunHooks } from './runtime.js';
import { RunState, stateAccess, type StateAccess, type StateListener } from './state.js';
import { cancellationError, runStep, throwIfCancelled } from './step.js';

export interface Logger {
  (message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** A zod object of the fields, or its shape (`{ confirmed: z.boolean() }`). */
export type InputFields = z.ZodObject<z.ZodRawShape> | z.ZodRawShape;

type FieldsOutput<F> = F extends z.ZodObject<z.ZodRawShape> ? z.output<F> : F extends z.ZodRawShape ? z.output<z.ZodObject<F>> : never;

export interface InputOptions<F extends InputFields> {
  prompt: string;
  fields?: F;
  /** Give up after this long: `requestInput` then rejects with InputTimeoutError. */
  timeoutMs?: number;
}

export interface OutputOptions {
  /** What the value is, e.g. `absorbance`, `weight`, `number`, `json` (inferred when omitted). */
  type?: string;
  /** The resource the value is about, e.g. the plate that was read (a name or the resource). */
  resource?: string | { name: string };
}

export interface RunContext<P = Record<string, unknown>, A = Record<string, unknown>> {
  runId: string;
  parameters: P;
  assets: A;
  state: StateAccess;
  log: Logger;
  requestInput<F extends InputFields = z.ZodRawShape>(opts: InputOptions<F>): Promise<FieldsOutput<F>>;
  output(name: string, value: JsonValue, opts?: OutputOptions): void;
  /** Aborted when the run is cancelled. */
  signal: AbortSignal;
}

export class InputTimeoutError extends Error {
  constructor(readonly prompt: string, readonly timeoutMs: number) {
    super(`no answer to "${prompt}" within ${timeoutMs} ms`);
    this.name = 'InputTimeoutError';
  }
}

/** Parameters that do not match the protocol's schema; `issues` name each field. */
export class ParameterError extends Error {
  constructor(readonly issues: Array<{ field: string; message: string }>) {
    super(`invalid parameters: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'ParameterError';
  }
}

/** A required asset was not given to the run. */
export class MissingAssetError extends Error {
  constructor(readonly requirement: string, r: AssetRequirement) {
    super(`asset "${requirement}" (${r.kind} ${r.category}${r.model ? ` ${r.model}` : ''}) was not provided`);
    this.name = 'MissingAssetError';
  }
}

export function zodIssues(error: z.ZodError): Array<{ field: string; message: string }> {
  return error.issues.map((i) => ({ field: i.path.length ? i.path.map(String).join('.') : '(root)', message: i.message }));
}

/** Checks raw parameters against a definition: the parsed values (defaults applied) or ParameterError. */
export function parseParameters<D extends ProtocolDefinition>(def: D, raw: unknown): z.output<D['parameters']> {
  const r = def.parameters.safeParse(raw ?? {});
  if (!r.success) throw new ParameterError(zodIssues(r.error));
  return r.data as z.output<D['parameters']>;
}

function toFieldsSchema(fields: InputFields | undefined): z.ZodObject<z.ZodRawShape> {
  if (!fields) return z.object({});
  return fields instanceof z.ZodObject ? fields : z.object(fields as z.ZodRawShape);
}

function inferType(value: JsonValue): string {
  if (value === null) return 'json';
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number') ? 'number[]' : 'json';
  return typeof value === 'object' ? 'json' : typeof value;
}

function createContext(frame: RunFrame, parameters: unknown, assets: Record<string, unknown>): RunContext {
  const hooks = frame.hooks;
  const stepSeq = () => currentFrame()?.seq ?? null;
  const emit = (level: LogLevel) => (message: string, data?: unknown) => {
    hooks.log?.({ level, message: String(message), ...(data !== undefined ? { data: toLoggable(data) } : {}), stepSeq: stepSeq(), at: Date.now() });
  };
  const log = Object.assign(emit('info'), { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') });

  const requestInput = async (opts: InputOptions<InputFields>): Promise<never> => {
    if (!opts || typeof opts.prompt !== 'string' || !opts.prompt) throw new TypeError('requestInput({ prompt, fields }): prompt must be a non-empty string');
    if (opts.timeoutMs !== undefined && (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0)) throw new TypeError('requestInput: timeoutMs must be a positive number');
    throwIfCancelled(frame.signal);
    const schema = toFieldsSchema(opts.fields);
    // Values this validate() produced: a host returns either one of these (already parsed, so not
    // parsed again: a field transform must apply once) or the raw answer (parsed here).
    const produced = new WeakSet<object>();
    const validate = (values: unknown): InputValidation => {
      const r = schema.safeParse(values ?? {});
      if (!r.success) return { ok: false, issues: zodIssues(r.error) };
      try {
        assertJson(r.data, 'values');
      } catch (e) {
        return { ok: false, issues: [{ field: 'values', message: (e as Error).message }] };
      }
      produced.add(r.data);
      return { ok: true, value: r.data as Record<string, JsonValue> };
    };
    // The host's signal: aborted when the run is cancelled or the prompt times out.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const answer = hooks.requestInput(
        { id: randomUUID(), prompt: opts.prompt, fieldsSchema: jsonSchemaOf(schema), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), stepSeq: stepSeq() },
        validate,
        controller.signal,
      );
      const racers: Promise<Record<string, JsonValue>>[] = [answer];
      if (opts.timeoutMs) {
        racers.push(
          new Promise((_, reject) => {
            timer = setTimeout(() => {
              const err = new InputTimeoutError(opts.prompt, opts.timeoutMs!);
              controller.abort(err);
              reject(err);
            }, opts.timeoutMs);
          }),
        );
      }
      racers.push(
        new Promise((_, reject) => {
          onAbort = () => {
            const err = cancellationError(frame.signal);
            controller.abort(err);
            reject(err);
          };
          if (frame.signal.aborted) onAbort();
          else frame.signal.addEventListener('abort', onAbort, { once: true });
        }),
      );
      const raw = await Promise.race(racers);
      if (raw && typeof raw === 'object' && produced.has(raw)) return raw as never;
      const checked = validate(raw);
      if (!checked.ok) throw new ParameterError(checked.issues);
      return checked.value as never;
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) frame.signal.removeEventListener('abort', onAbort);
    }
  };

  const output = (name: string, value: JsonValue, opts: OutputOptions = {}) => {
    if (typeof name !== 'string' || !name) throw new TypeError('output(name, value): name must be a non-empty string');
    assertJson(value, `output ${name}`);
    const resource = typeof opts.resource === 'string' ? opts.resource : opts.resource?.name;
    hooks.output?.({ name, value, type: opts.type ?? inferType(value), ...(resource ? { resource } : {}), stepSeq: stepSeq(), at: Date.now() });
  };

  return {
    runId: frame.runId,
    parameters: parameters as Record<string, unknown>,
    assets,
    state: stateAccess(frame.state),
    log,
    requestInput: requestInput as RunContext['requestInput'],
    output,
    signal: frame.signal,
  };
}

export interface ExecuteOptions {
  runId?: string;
  /** Raw parameters: validated against the definition's schema (ParameterError naming the field). */
  parameters?: unknown;
  assets: Record<string, unknown>;
  hooks: RunHooks;
  signal?: AbortSignal;
  /** Run state to start from (a resumed or restarted run). */
  initialState?: Record<string, JsonValue>;
  onStateChange?: StateListener;
}

export interface ExecuteResult {
  result: JsonValue;
  state: Record<string, JsonValue>;
}

/** The step an error came from (the innermost one), for failure reports. */
export function failedStep(err: unknown): { seq: number; name: string } | undefined {
  return errorOrigin(err);
}

/**
 * Runs a protocol: checks parameters and assets, then calls `run` as the root step (sequence
 * number 1, named after the protocol) with a run context wired to `hooks`.
 */
export async function executeProtocol(def: ProtocolDefinition, opts: ExecuteOptions): Promise<ExecuteResult> {
  const parameters = parseParameters(def, opts.parameters);
  for (const [key, r] of Object.entries(def.assets)) {
    if (opts.assets[key] === undefined && !r.optional) throw new MissingAssetError(key, r);
  }
  let seq = 0;
  const state = new RunState(opts.initialState ?? {}, opts.onStateChange);
  const frame: RunFrame = { runId: opts.runId ?? randomUUID(), hooks: opts.hooks, state, signal: opts.signal ?? new AbortController().signal, nextSeq: () => ++seq };
  const ctx = createContext(frame, parameters, opts.assets);
  const result = await runStep({ run: frame, seq: null }, def.name, [parameters], () => def.run(ctx as never));
  return { result: toLoggable(result), state: state.toJSON() };
}
