import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line written inside a context carries: the run, its trace, its step. */
export interface LogFields {
  runId?: string;
  traceId?: string;
  stepSeq?: number | null;
}

const storage = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with `fields` added to every log line written inside it, however deep (pino's mixin
 * reads them): the worker wraps each run in one, so a Nest logger call in any service it reaches is
 * found by the run's id and trace id without passing them along.
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** The fields of the current context (empty outside one). */
export function logContext(): LogFields {
  return storage.getStore() ?? {};
}
