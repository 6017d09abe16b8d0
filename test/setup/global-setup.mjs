// Starts one private PostgreSQL (fsync off) and one redis-server for the whole run, on free
// ports, under a temporary folder. Test files get their own database from test/support/db.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, startRedis } from '../../scripts/lib/services.mjs';

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'praxis-test-'));
  const [pg, redis] = await Promise.allSettled([
    startPostgres({ dir: join(dir, 'postgres'), fast: true, logFile: join(dir, 'postgres.log') }),
    startRedis({ dir: join(dir, 'redis'), persistent: false }),
  ]);
  // If either failed, stop the other before failing (Jest skips globalTeardown then).
  if (pg.status === 'rejected' || redis.status === 'rejected') {
    if (pg.status === 'fulfilled') await pg.value.stop();
    if (redis.status === 'fulfilled') await redis.value.stop();
    throw pg.status === 'rejected' ? pg.reason : redis.reason;
  }
  globalThis.__praxisServices = { pg: pg.value, redis: redis.value, dir };
  // If the run is interrupted, do not leave a redis-server behind.
  process.on('exit', () => redis.value.stopSync());
  process.env.TEST_PG_BASE_URL = pg.value.baseUrl;
  process.env.TEST_REDIS_URL = redis.value.url;
  process.env.TEST_TMP_DIR = dir;
  writeFileSync(join(dir, 'services.json'), JSON.stringify({ pg: pg.value.baseUrl, redis: redis.value.url }));
}
