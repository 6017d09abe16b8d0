import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { EnvironmentVariables } from './env.schema.js';

export interface OidcIssuerConfig {
  issuer: string;
  jwksUri: string;
  audience: string;
  rolesClaim: string;
  usernameClaim: string;
}

/** Typed, read-only view of the validated environment. Inject this instead of reading process.env. */
@Injectable()
export class AppConfig {
  readonly nodeEnv: EnvironmentVariables['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** Bearer token for GET /metrics; undefined keeps /metrics closed. */
  readonly metricsToken: string | undefined;
  /** The worker's metrics server (port 0: none). */
  readonly workerMetrics: { port: number; host: string };
  readonly logPretty: boolean;
  readonly dataDir: string;
  readonly corsOrigins: string[];
  /** Largest JSON request body (body-parser size: bytes or `512kb`, `1mb`). */
  readonly bodyLimit: string;
  /** Express `trust proxy` value (hop count or address list); undefined: trust none. */
  readonly trustProxy?: number | string;
  readonly database: { url: string; poolSize: number };
  readonly redis: { url: string };
  readonly auth: {
    issuer: string;
    audience: string;
    privateKeyPem?: string;
    tokenTtlSeconds: number;
    localLogin: boolean;
    /** Per (username, address), per address and per username, within the window. */
    loginMaxFailures: number;
    loginMaxFailuresPerAddress: number;
    loginMaxFailuresPerAccount: number;
    loginWindowSeconds: number;
    oidc?: OidcIssuerConfig;
  };
  readonly admin: { username: string; password?: string };
  /** Seed the demo workcell at setup. */
  readonly demo: boolean;
  /** The seeded demo STARlet's realTimeSpeed (undefined: instant). */
  readonly demoSpeed: number | undefined;
  readonly mail: { smtpUrl?: string; from: string; maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  readonly notifications: { intervalMs: number };
  /** Base URL of the API as users reach it (links in emails), without a trailing slash. */
  readonly publicUrl: string;
  /** `workcells`: names or ids this worker runs; empty: all. */
  readonly worker: { heartbeatIntervalMs: number; recoveryIntervalMs: number; workcells: string[] };
  readonly protocols: { loadTimeoutMs: number; simulationTimeoutMs: number; sandboxMemoryMb: number; gitTimeoutMs: number; hangTimeoutMs: number };

  constructor(env: EnvironmentVariables) {
    this.nodeEnv = env.NODE_ENV;
    this.port = env.PORT;
    this.host = env.HOST;
    this.logLevel = env.LOG_LEVEL;
    this.metricsToken = env.METRICS_TOKEN;
    this.workerMetrics = { port: env.WORKER_METRICS_PORT, host: env.WORKER_METRICS_HOST };
    this.logPretty = env.LOG_PRETTY;
    this.dataDir = isAbsolute(env.PRAXIS_DATA_DIR) ? env.PRAXIS_DATA_DIR : resolve(process.cwd(), env.PRAXIS_DATA_DIR);
    this.trustProxy = env.TRUST_PROXY === undefined ? undefined : /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY;
    this.corsOrigins = (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    this.bodyLimit = env.BODY_LIMIT.replace(/\s+/g, '').toLowerCase();
    this.database = { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE };
    this.redis = { url: env.REDIS_URL };
    this.auth = {
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      privateKeyPem: env.AUTH_PRIVATE_KEY ?? (env.AUTH_PRIVATE_KEY_FILE ? readFileSync(env.AUTH_PRIVATE_KEY_FILE, 'utf8') : undefined),
      tokenTtlSeconds: env.AUTH_TOKEN_TTL_SECONDS,
      localLogin: env.AUTH_LOCAL_LOGIN,
      loginMaxFailures: env.AUTH_LOGIN_MAX_FAILURES,
      loginMaxFailuresPerAddress: env.AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS,
      loginMaxFailuresPerAccount: env.AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginWindowSeconds: env.AUTH_LOGIN_WINDOW_SECONDS,
      oidc: env.AUTH_OIDC_ISSUER
        ? {
            issuer: env.AUTH_OIDC_ISSUER,
            jwksUri: env.AUTH_OIDC_JWKS_URI!,
            audience: env.AUTH_OIDC_AUDIENCE!,
            rolesClaim: env.AUTH_OIDC_ROLES_CLAIM,
            usernameClaim: env.AUTH_OIDC_USERNAME_CLAIM,
          }
        : undefined,
    };
    this.admin = { username: env.PRAXIS_ADMIN_USERNAME, password: env.PRAXIS_ADMIN_PASSWORD };
    this.demo = env.PRAXIS_DEMO;
    this.demoSpeed = env.PRAXIS_DEMO_SPEED;
    this.mail = { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS, retryBaseMs: env.MAIL_RETRY_BASE_MS, retryMaxMs: env.MAIL_RETRY_MAX_MS };
    this.notifications = { intervalMs: env.NOTIFICATIONS_INTERVAL_MS };
    this.publicUrl = (env.PRAXIS_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    this.worker = {
      heartbeatIntervalMs: env.WORKER_HEARTBEAT_INTERVAL_MS,
      recoveryIntervalMs: env.RUN_RECOVERY_INTERVAL_MS,
      workcells: (env.WORKER_WORKCELLS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    };
    this.protocols = {
      loadTimeoutMs: env.PROTOCOL_LOAD_TIMEOUT_MS,
      simulationTimeoutMs: env.PROTOCOL_SIMULATION_TIMEOUT_MS,
      sandboxMemoryMb: env.PROTOCOL_SANDBOX_MEMORY_MB,
      gitTimeoutMs: env.PROTOCOL_GIT_TIMEOUT_MS,
      hangTimeoutMs: env.PROTOCOL_HANG_TIMEOUT_MS,
    };
    Object.freeze(this);
  }
}
