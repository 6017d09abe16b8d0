import type { Provider } from '@nestjs/common';
import { RedisService } from '@praxis/redis';
import { AssetLockManager } from './asset-lock-manager.js';

/** Listeners told when a run's asset lease is lost (the worker cancels that run). */
export class LockLossHub {
  private readonly listeners = new Set<(runId: string, err: Error) => void>();
  on(listener: (runId: string, err: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(runId: string, err: Error): void {
    for (const l of this.listeners) l(runId, err);
  }
}

export const LOCK_PROVIDERS: Provider[] = [
  LockLossHub,
  {
    provide: AssetLockManager,
    inject: [RedisService, LockLossHub],
    useFactory: (redis: RedisService, hub: LockLossHub) => {
      const manager = new AssetLockManager(redis.client, { onLost: (runId, err) => hub.emit(runId, err) });
      // Back from an outage (maybe a restart that forgot every key): check the leases now.
      redis.client.on('ready', () => manager.verifyAll());
      return manager;
    },
  },
];
