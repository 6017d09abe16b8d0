import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { requestIdFor } from '../http/request-id.js';
import { logContext } from './log-context.js';

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  name: string;
  /** Where the JSON lines go (stdout by default); tests capture them. */
  stream?: NodeJS.WritableStream;
}

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.privateKey',
];

/** Nest's boot chatter (one line per module and route): kept at debug, not info. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

const RUN_PATH = /^\/api\/v1\/runs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?]|$)/i;

/** pino / pino-http settings shared by the api and the worker: JSON lines, request id = trace id. */
export function pinoParams(opts: LoggerOptions): Params {
  const options: Options = {
    name: opts.name,
    hooks: {
      logMethod(args, method, level) {
        const first = args[0] as unknown;
        if (level === 30 && first && typeof first === 'object' && BOOT_CONTEXTS.has((first as { context?: string }).context ?? '')) {
          if (this.isLevelEnabled('debug')) (this.debug as (...a: unknown[]) => void)(...args);
          return;
        }
        method.apply(this, args);
      },
    },
    level: opts.level,
    // runId / traceId / stepSeq of the run being worked on (withLogContext), on every line.
    mixin: () => ({ ...logContext() }),
    redact: { paths: REDACT, censor: '[redacted]' },
    genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdFor(req, res),
    // Every line of a request carries its id as `traceId` (also sent back as X-Request-Id and kept
    // by a run it creates), and the run's id when the request is about one.
    customProps: (req: IncomingMessage) => {
      const runId = RUN_PATH.exec(req.url ?? '')?.[1];
      return { traceId: (req as IncomingMessage & { id?: string }).id, ...(runId ? { runId } : {}) };
    },
    customLogLevel: (_req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    // A 5xx is logged with its stack by the exception filter; the access line needs none.
    customErrorMessage: (_req, res) => `request failed with status ${res.statusCode}`,
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Probes and Prometheus scrapes come every few seconds: no access line each (refusals still count in the metrics).
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/api/v1/health' || req.url === '/metrics' || req.url === '/metrics/' },
    transport: opts.pretty && !opts.stream ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } } : undefined,
  };
  return { pinoHttp: opts.stream ? [options, opts.stream as DestinationStream] : options };
}
