// Errors that mean "a dependency (PostgreSQL, Redis) is unreachable right now", as opposed to an
// error in what was asked. The API answers them 503 (never 500); the worker waits them out
// instead of failing a run whose robot is doing fine.

/** SQLSTATE classes/codes of a server that is gone, stopping or starting (08: connection exception). */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const MESSAGES = [
  /Connection terminated/i,
  /connection.*(closed|ended|lost)/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client has encountered a connection error/i,
  /timeout exceeded when trying to connect/i,
  /Stream isn't writeable/i,
  /Reached the max retries per request limit/i,
  /Redis did not answer/i,
];

/** True for "could not reach PostgreSQL or Redis" errors, following `driverError` and `cause`. */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; name?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (e.code.startsWith('08') || PG_UNAVAILABLE.has(e.code) || NODE_CODES.has(e.code))) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isConnectionError(x, depth + 1))) return true;
  return isConnectionError(e.driverError, depth + 1) || isConnectionError(e.cause, depth + 1);
}

export interface RetryOptions {
  /** Give up (rethrow the last error) once this long has passed since the first failure. */
  maxMs: number;
  /** First wait; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Told before each wait (for a warning log). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `fn`, and again after a growing pause for as long as it fails with a connection error and
 * `maxMs` has not passed. Any other error is thrown at once. Only for operations that are safe to
 * repeat (idempotent writes, conditional status changes), never for a hardware command.
 */
export async function retryWhileUnreachable<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const start = Date.now();
  let delay = opts.initialDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() - start >= opts.maxMs) throw err;
      opts.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, opts.maxMs - (Date.now() - start)))));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 2000);
    }
  }
}
