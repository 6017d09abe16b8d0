/**
 * Process lifecycle helpers shared by the api and the worker mains.
 *
 * - When started by the launcher over an IPC channel, a child shuts itself down when the channel
 *   closes: the launcher died (even by SIGKILL), so nobody supervises us any more.
 * - A shutdown that hangs (a dependency gone mid-close) is bounded: after `graceMs` the process
 *   exits anyway, saying so.
 */
export function installLifecycle(name: string, graceMs = 15000): void {
  if (typeof process.send === 'function') {
    process.once('disconnect', () => {
      process.stderr.write(`${name}: the launcher is gone; shutting down\n`);
      process.kill(process.pid, 'SIGTERM');
    });
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const timer = setTimeout(() => {
        process.stderr.write(`${name}: shutdown did not finish within ${graceMs} ms; exiting\n`);
        process.exit(1);
      }, graceMs);
      timer.unref();
    });
  }
}
