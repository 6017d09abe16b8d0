import { AsyncLocalStorage } from 'node:async_hooks';
import type { JsonValue } from './json.js';
import type { RunState } from './state.js';

/** A `step()` call as it starts. `seq` increases through the run; `parentSeq` is the caller. */
export interface StepStart {
  seq: number;
  parentSeq: number | null;
  name: string;
  args: JsonValue[];
  startedAt: number;
}

export type StepStatus = 'completed' | 'failed' | 'cancelled';

export interface StepEnd {
  seq: number;
  name: string;
  status: StepStatus;
  result?: JsonValue;
  error?: { name: string; message: string };
  endedAt: number;
  durationMs: number;
  /** Run-state keys the call changed: `{ key: { before, after } }`. */
  stateDiff: Record<string, { before?: JsonValue; after?: JsonValue }>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  level: LogLevel;
  message: string;
  data?: JsonValue;
  stepSeq: number | null;
  at: number;
}

export interface OutputRecord {
  name: string;
  value: JsonValue;
  type: string;
  /** The resource it is about, when given (e.g. the plate that was read). */
  resource?: string;
  stepSeq: number | null;
  at: number;
}

/** A prompt for the operator: the field schema is JSON Schema (what a client renders as a form). */
export interface InputRequest {
  id: string;
  prompt: string;
  fieldsSchema: Record<string, unknown>;
  timeoutMs?: number;
  stepSeq: number | null;
}

export type InputValidation = { ok: true; value: Record<string, JsonValue> } | { ok: false; issues: Array<{ field: string; message: string }> };

/**
 * What the host of a run (the simulator, the worker's child process, a unit test) provides.
 * Every hook is called synchronously from the protocol's flow except `requestInput`, which
 * resolves with the operator's answer; `validate` checks an answer against the prompt's fields
 * (the host can show its issues to the operator and wait for another answer).
 */
export interface RunHooks {
  stepStarted?(step: StepStart): void;
  stepEnded?(step: StepEnd): void;
  log?(entry: LogEntry): void;
  output?(output: OutputRecord): void;
  requestInput(request: InputRequest, validate: (values: unknown) => InputValidation, signal: AbortSignal): Promise<Record<string, JsonValue>>;
}

export interface RunFrame {
  runId: string;
  hooks: RunHooks;
  state: RunState;
  signal: AbortSignal;
  nextSeq(): number;
}

export interface StepFrame {
  run: RunFrame;
  seq: number;
  name: string;
}

/** Where an error was raised: the innermost step it went through. */
const origins = new WeakMap<object, { seq: number; name: string }>();

export function errorOrigin(err: unknown): { seq: number; name: string } | undefined {
  return err && typeof err === 'object' ? origins.get(err) : undefined;
}

export function markErrorOrigin(err: unknown, step: { seq: number; name: string }): void {
  if (err && typeof err === 'object' && !origins.has(err)) origins.set(err, step);
}

/**
 * One AsyncLocalStorage for the whole process, shared through a global symbol: a protocol bundle
 * and the host that runs it always see the same current step, even with two copies of this module.
 */
const KEY = Symbol.for('praxis.protocol.runtime');
type Shared = { storage: AsyncLocalStorage<StepFrame> };
const g = globalThis as unknown as Record<symbol, Shared | undefined>;
const shared: Shared = (g[KEY] ??= { storage: new AsyncLocalStorage<StepFrame>() });

export const stepStorage = shared.storage;

export function currentFrame(): StepFrame | undefined {
  return stepStorage.getStore();
}

/** The sequence number of the step running in this async context (null outside a run). */
export function currentStepSeq(): number | null {
  return stepStorage.getStore()?.seq ?? null;
}
