import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { UsersService, Role } from '@praxis/auth';
import { AppConfig, loadConfig } from '@praxis/config';
import { Redis } from 'ioredis';
import request from 'supertest';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { createTestDatabase, testRedisUrl, type TestDatabase } from './db.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/** Every log line the app wrote, parsed (pino JSON). */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ msg: line });
        }
      }
    }
    cb();
  }
  /** Lines at pino level error (50) or fatal (60). */
  errors(): Array<Record<string, unknown>> {
    return this.lines.filter((l) => typeof l.level === 'number' && l.level >= 50);
  }
}

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  config: AppConfig;
  logs: LogCapture;
  redis: Redis;
  /** Runs SQL on the app's own database. */
  db: TestDatabase & { query: (sql: string, params?: unknown[]) => Promise<any[]> };
  login(username?: string, password?: string): Promise<string>;
  createUser(username: string, role: Role, password?: string): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

/**
 * Boots the real API module (real PostgreSQL database of its own, real Redis) exactly as main.ts
 * configures it, with the admin seeded.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'praxis-app-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    PRAXIS_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    ...env,
  });
  const logs = new LogCapture();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, { logStream: logs })] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureApp(app, config);
  await app.init();
  await app.get(UsersService).ensureAdmin(ADMIN.username, ADMIN.password, () => ADMIN.password);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  // Each file starts with no leftover login-failure counters from another file.
  try {
    await redis.connect();
    const stale = await redis.keys('praxis:login-failures:*');
    if (stale.length) await redis.del(...stale);
  } catch {
    /* a test of an unreachable Redis */
  }
  const http = request(app.getHttpServer());

  const login = async (username = ADMIN.username, password = ADMIN.password): Promise<string> => {
    const res = await http.post('/api/v1/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  };

  const { DataSource } = await import('typeorm');
  const ds = app.get(DataSource);
  return {
    app,
    http,
    config,
    db: Object.assign(db, { query: (sql: string, params?: unknown[]) => ds.query(sql, params) }),
    logs,
    redis,
    login,
    async createUser(username, role, password = `${username}-password`) {
      const adminToken = await login();
      const res = await http.post('/api/v1/users').set('Authorization', `Bearer ${adminToken}`).send({ username, password, role });
      if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, token: await login(username, password) };
    },
    async close() {
      await (app as INestApplication).close();
      redis.disconnect();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
