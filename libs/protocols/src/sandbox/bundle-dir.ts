import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the process `pid` writes the protocol bundles it imports (removed when it exits, or by its host after a kill). */
export function bundleDir(pid: number = process.pid): string {
  return join(tmpdir(), `praxis-sandbox-${pid}`);
}
