import { createServer, type Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { metricsAuthorized, metricsRegistry, recordDbPool, startProcessMetrics } from '@praxis/common';
import { poolStats } from '@praxis/database';
import { AppConfig } from '@praxis/config';
import { DataSource } from 'typeorm';
import { WorkerIdentity } from './heartbeat.service.js';

/**
 * The worker's own Prometheus target (`GET /metrics` on WORKER_METRICS_PORT, METRICS_TOKEN
 * bearer): its hardware commands, the run transitions it made, its process and database pool.
 * Each worker is scraped on its own; the API serves the cluster-wide gauges. A port that cannot
 * be bound is logged and left: a worker that drives instruments is not stopped for its metrics.
 */
@Injectable()
export class MetricsServerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServerService.name);
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly identity: WorkerIdentity,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** The bound port (null when off or not bound). */
  get port(): number | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    startProcessMetrics();
    const { port, host } = this.config.workerMetrics;
    if (!port) return;
    const server = createServer((req, res) => void this.handle(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, res));
    await new Promise<void>((resolve) => {
      server.once('error', (err) => {
        this.logger.error({ port, host, err: err.message }, 'worker metrics server not started; the worker runs on without it');
        resolve();
      });
      server.listen(port, host, () => {
        this.server = server;
        this.logger.log({ port, host, worker: this.identity.id }, 'worker metrics on /metrics');
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(method: string, url: string, authorization: string | undefined, res: import('node:http').ServerResponse): Promise<void> {
    const json = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code, message, traceId: '' } }));
    };
    if (method !== 'GET' || url.split('?')[0] !== '/metrics') return json(404, 'NOT_FOUND', 'only GET /metrics here');
    if (!metricsAuthorized(authorization, this.config.metricsToken)) {
      return json(401, 'UNAUTHENTICATED', this.config.metricsToken ? 'GET /metrics needs the METRICS_TOKEN bearer token' : 'GET /metrics is closed: set METRICS_TOKEN to open it');
    }
    try {
      recordDbPool(poolStats(this.db));
      const body = await metricsRegistry.metrics();
      res.writeHead(200, { 'content-type': metricsRegistry.contentType, 'cache-control': 'no-store' });
      res.end(body);
    } catch (err) {
      json(500, 'INTERNAL_ERROR', (err as Error).message);
    }
  }
}
