import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateIf,
  ValidationError,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/**
 * Every environment variable Praxis reads, in one place. Validated once at boot; a missing or
 * invalid variable stops the process with a message naming it.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** PostgreSQL connection string, e.g. postgres://user:pass@host:5432/praxis */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL!: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Redis connection string, e.g. redis://host:6379/0 */
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL!: string;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Pretty, human-readable logs instead of JSON lines. */
  @IsBoolean()
  @Transform(toBoolean)
  LOG_PRETTY = false;

  @IsString()
  @MinLength(1)
  PRAXIS_DATA_DIR = '.praxis';

  /**
   * Express `trust proxy` when the API sits behind a load balancer or reverse proxy, so client
   * addresses (login rate limiting, logs) are the real ones: a hop count, `loopback`, a subnet...
   */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** Comma-separated list of allowed CORS origins; unset disables CORS. */
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** Largest JSON request body, in bytes or with a unit (`512kb`, `1mb`); larger ones answer 413. */
  @Matches(/^\d+(\.\d+)?\s*(b|kb|mb)?$/i, { message: 'BODY_LIMIT must be a size such as 1048576, 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  // --- built-in token issuer ---
  @IsString()
  @MinLength(1)
  AUTH_ISSUER = 'praxis';

  @IsString()
  @MinLength(1)
  AUTH_AUDIENCE = 'praxis-api';

  /** PEM of the RSA private key that signs tokens; when unset, a key is created under the data dir. */
  @IsOptional()
  @IsString()
  AUTH_PRIVATE_KEY?: string;

  /** A file holding that PEM (e.g. a Docker secret). */
  @IsOptional()
  @IsString()
  AUTH_PRIVATE_KEY_FILE?: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  AUTH_TOKEN_TTL_SECONDS = 3600;

  /** Whether POST /auth/login issues tokens (off when only an external OIDC issuer is used). */
  @IsBoolean()
  @Transform(toBoolean)
  AUTH_LOCAL_LOGIN = true;

  /** Failed logins per username and client address within the window before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_LOGIN_MAX_FAILURES = 5;

  /** Failed logins from one client address, whatever the usernames (password spraying), before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS = 50;

  /** Failed logins for one username, whatever the addresses (a distributed guess), before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_LOGIN_WINDOW_SECONDS = 300;

  // --- external OIDC issuer (e.g. a Keycloak realm) ---
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_OIDC_ISSUER?: string;

  @ValidateIf((o: EnvironmentVariables) => o.AUTH_OIDC_ISSUER !== undefined)
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'AUTH_OIDC_JWKS_URI must be a URL (required when AUTH_OIDC_ISSUER is set)' })
  AUTH_OIDC_JWKS_URI?: string;

  @ValidateIf((o: EnvironmentVariables) => o.AUTH_OIDC_ISSUER !== undefined)
  @IsString({ message: 'AUTH_OIDC_AUDIENCE must be set when AUTH_OIDC_ISSUER is set' })
  AUTH_OIDC_AUDIENCE?: string;

  @IsString()
  AUTH_OIDC_ROLES_CLAIM = 'realm_access.roles';

  @IsString()
  AUTH_OIDC_USERNAME_CLAIM = 'preferred_username';

  // --- seeded admin ---
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]{3,64}$/, { message: 'PRAXIS_ADMIN_USERNAME must be 3-64 letters, digits, dot, dash or underscore' })
  PRAXIS_ADMIN_USERNAME = 'admin';

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'PRAXIS_ADMIN_PASSWORD must be at least 8 characters' })
  PRAXIS_ADMIN_PASSWORD?: string;

  /** Seed the demo workcell (simulated STARlet with a layout) at setup; `npm start` turns it on. */
  @IsBoolean()
  @Transform(toBoolean)
  PRAXIS_DEMO = false;

  /**
   * The demo STARlet's pace when it is seeded: commands take their modelled time, this many times
   * faster (so a run can be watched); unset: as fast as it can.
   */
  @IsOptional()
  @Type(() => Number)
  @Min(0.01)
  @Max(10000)
  PRAXIS_DEMO_SPEED?: number;

  // --- mail ---
  /** smtp://user:pass@host:port; unset writes messages to an outbox folder under the data dir. */
  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** `praxis@lab.example` or `Praxis <praxis@lab.example>`. */
  @Matches(/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, { message: 'MAIL_FROM must be an address, optionally as "Name <address>"' })
  MAIL_FROM = 'praxis@localhost';

  /** Attempts per notification email before it is given up as `failed`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  MAIL_MAX_ATTEMPTS = 6;

  /** Wait after the first failed attempt; doubled after each further one, up to MAIL_RETRY_MAX_MS. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(86400000)
  MAIL_RETRY_BASE_MS = 30000;

  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(86400000)
  MAIL_RETRY_MAX_MS = 3600000;

  /** How often the API looks for run status changes to notify and for emails due. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(600000)
  NOTIFICATIONS_INTERVAL_MS = 1000;

  /** Base URL of this API as users reach it, for links in emails; default http://localhost:<PORT>. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PRAXIS_PUBLIC_URL?: string;

  // --- worker ---
  @Type(() => Number)
  @IsInt()
  @Min(100)
  WORKER_HEARTBEAT_INTERVAL_MS = 5000;

  /**
   * Comma-separated names or ids of the workcells this worker runs (a worker on a workcell host,
   * next to its instruments); unset: every workcell.
   */
  @IsOptional()
  @IsString()
  WORKER_WORKCELLS?: string;

  /** How often the API looks for runs whose worker stopped heartbeating (they become interrupted). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  RUN_RECOVERY_INTERVAL_MS = 5000;

  /** Bearer token for GET /metrics (API and workers). Unset: /metrics answers 401 to everyone, so nothing is exposed by default. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  /** The worker's own /metrics port (each worker is its own Prometheus target); 0: no metrics server. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_METRICS_PORT = 9464;

  /** Address the worker's metrics server binds. */
  @IsString()
  @MinLength(1)
  WORKER_METRICS_HOST = '0.0.0.0';

  // --- protocol sandbox (discovery and simulation child processes) ---
  /** Per file when discovering protocols. */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(600000)
  PROTOCOL_LOAD_TIMEOUT_MS = 15000;

  /** Default limit of one simulation (a request may ask for less). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3600000)
  PROTOCOL_SIMULATION_TIMEOUT_MS = 60000;

  /** Heap limit of each sandbox child. */
  @Type(() => Number)
  @IsInt()
  @Min(64)
  @Max(16384)
  PROTOCOL_SANDBOX_MEMORY_MB = 512;

  /** A run's protocol process that stays silent this long (a loop that never awaits) is stopped; 0 = never. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86400000)
  PROTOCOL_HANG_TIMEOUT_MS = 30000;

  /** Git operations (ls-remote, clone, fetch). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3600000)
  PROTOCOL_GIT_TIMEOUT_MS = 60000;
}

export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const value = e.value === undefined ? 'is not set' : `has an invalid value`;
    const constraints = Object.values(e.constraints ?? {});
    return constraints.length ? [`${e.property} ${value}: ${constraints.join('; ')}`] : flatten(e.children ?? []);
  });
}

/** Validates a raw environment (process.env by default); throws EnvironmentError naming each bad variable. */
export function validateEnvironment(raw: Record<string, string | undefined> = process.env): EnvironmentVariables {
  // Empty strings count as "not set", so the default applies.
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new EnvironmentError(flatten(errors));
  return env;
}
