/**
 * Process lifecycle helpers shared by the api and the worker mains.
 *
 * - When started by the launcher over an IPC channel, a child shuts itself down when the channel
 *   closes: the launcher died (even by SIGKILL), so nobody supervises us any more.
 * - A shutdown that hangs (a dependency gone mid-close) is bounded: after `graceMs` the process
 *   exits anyway, saying so.
 * - Node's own warnings (deprecations, listener leaks...) become JSON log lines like the rest,
 *   instead of plain text on stderr.
 * What is said outside Nest's logger (before it exists, or after it is gone) goes through
 * `processLog`, a pino logger of the same shape.
 */
import pino, { type Logger } from 'pino';

let log: Logger | null = null;

/** The process's own JSON logger for lines outside Nest (start failures, shutdown, warnings). */
export function processLog(name: string): Logger {
  log ??= pino({ name, level: process.env.LOG_LEVEL || 'info' });
  return log;
}

export function installLifecycle(name: string, graceMs = 15000): void {
  const logger = processLog(name);
  // Replaces Node's default printer (a listener it installs at start) with a JSON line.
  process.removeAllListeners('warning');
  process.on('warning', (w) => logger.warn({ warning: w.name, code: (w as { code?: string }).code }, w.message));
  if (typeof process.send === 'function') {
    process.once('disconnect', () => {
      logger.warn('the launcher is gone; shutting down');
      process.kill(process.pid, 'SIGTERM');
    });
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const timer = setTimeout(() => {
        logger.error(`shutdown did not finish within ${graceMs} ms; exiting`);
        process.exit(1);
      }, graceMs);
      timer.unref();
    });
  }
}
