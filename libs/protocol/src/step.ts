import { toLoggable } from './json.js';
import { currentFrame, errorOrigin, markErrorOrigin, stepStorage, type StepFrame, type StepStatus } from './runtime.js';

/** The run was cancelled: thrown at the next step boundary or hardware command. */
export class RunCancelledError extends Error {
  constructor(reason?: string) {
    super(reason ? `run cancelled: ${reason}` : 'run cancelled');
    this.name = 'RunCancelledError';
  }
}

/**
 * The error a cancelled run fails with: the abort reason when the host gave an Error of its own,
 * otherwise a RunCancelledError (carrying a text reason). `abort()` with no reason sets a DOMException
 * named AbortError, which is not a reason of the host's: it becomes a RunCancelledError too.
 */
export function cancellationError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof RunCancelledError) return reason;
  // Duck-typed as well as instanceof: a reason from another realm (a VM context) is still an error.
  const isError = reason instanceof Error || (!!reason && typeof reason === 'object' && typeof (reason as Error).name === 'string' && typeof (reason as Error).message === 'string');
  if (isError && (reason as Error).name !== 'AbortError') return reason as Error;
  return new RunCancelledError(typeof reason === 'string' && reason ? reason : undefined);
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancellationError(signal);
}

function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/**
 * Runs `body` as one logged call under `parent`: a sequence number, the arguments, the result or
 * error, the timing and the run-state diff. Used by `step()` and for the run's own root call.
 */
export function runStep<R>(parent: StepFrame | { run: StepFrame['run']; seq: null }, name: string, args: unknown[], body: () => R): R {
  const run = parent.run;
  throwIfCancelled(run.signal);
  const frame: StepFrame = { run, seq: run.nextSeq(), name };
  const before = run.state.snapshot();
  const startedAt = Date.now();
  const t0 = performance.now();
  run.hooks.stepStarted?.({ seq: frame.seq, parentSeq: parent.seq, name, args: args.map((a) => toLoggable(a)), startedAt });
  const end = (status: StepStatus, result: unknown, err: unknown) => {
    run.hooks.stepEnded?.({
      seq: frame.seq,
      name,
      status,
      ...(status === 'completed' && result !== undefined ? { result: toLoggable(result) } : {}),
      ...(err !== undefined ? { error: describeError(err) } : {}),
      endedAt: Date.now(),
      durationMs: performance.now() - t0,
      stateDiff: run.state.diffSince(before),
    });
  };
  const fail = (err: unknown): never => {
    markErrorOrigin(err, { seq: frame.seq, name });
    end(run.signal.aborted ? 'cancelled' : 'failed', undefined, err);
    throw err;
  };
  let out: R;
  try {
    out = stepStorage.run(frame, body);
  } catch (err) {
    return fail(err);
  }
  if (out && typeof (out as { then?: unknown }).then === 'function') {
    return (out as unknown as Promise<unknown>).then(
      (value) => {
        end('completed', value, undefined);
        return value;
      },
      (err: unknown) => fail(err),
    ) as R;
  }
  end('completed', out, undefined);
  return out;
}

/**
 * Wraps a function as a named step. Inside a run every call is logged with its parent step,
 * arguments, result or error, timing and state diff; outside a run it is a plain call, so
 * protocols and their steps can be unit-tested with no server.
 */
export function step<F extends (...args: any[]) => any>(name: string, fn: F): F {
  if (typeof name !== 'string' || !name) throw new TypeError('step(name, fn): name must be a non-empty string');
  if (typeof fn !== 'function') throw new TypeError(`step("${name}", fn): fn must be a function`);
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const parent = currentFrame();
    if (!parent) return fn.apply(this, args);
    return runStep(parent, name, args, () => fn.apply(this, args));
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name || name });
  return wrapped as F;
}

export { errorOrigin };
