// `node dist/apps/worker/src/healthcheck.js`: the worker image's HEALTHCHECK. Healthy when a worker
// of this host (container) heartbeats in Redis: alive, connected and its timers turning, which a
// bare "the process exists" check cannot tell. Exit 0 healthy, 1 not.
import { hostname } from 'node:os';
import { loadConfigOrExit } from '@praxis/config';
import { WORKER_HEARTBEAT_KEY } from '@praxis/redis';
import { Redis } from 'ioredis';

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const [, keys] = await redis.scan('0', 'MATCH', `praxis:${WORKER_HEARTBEAT_KEY}:${hostname()}:*`, 'COUNT', 10000);
    if (keys.length) return 0;
    process.stderr.write(`no heartbeat from a worker on ${hostname()}\n`);
    return 1;
  } catch (err) {
    process.stderr.write(`Redis unreachable: ${(err as Error).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

main().then((code) => process.exit(code));
