import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const s = globalThis.__praxisServices;
  if (!s) return;
  await Promise.allSettled([s.pg.stop(), s.redis.stop()]);
  rmSync(s.dir, { recursive: true, force: true });
}
