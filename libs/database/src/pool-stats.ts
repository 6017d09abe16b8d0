import type { DataSource } from 'typeorm';

export interface PoolStats {
  total: number;
  idle: number;
  inUse: number;
  /** Queries waiting for a connection (the pool is exhausted). */
  waiting: number;
}

/** This process's PostgreSQL pool (node-postgres behind TypeORM): what the metrics and the system status show. */
export function poolStats(db: DataSource): PoolStats {
  const pool = (db.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
  if (!pool) return { total: 0, idle: 0, inUse: 0, waiting: 0 };
  return { total: pool.totalCount, idle: pool.idleCount, inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount };
}
