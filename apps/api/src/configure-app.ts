import { RequestMethod, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AllExceptionsFilter, ErrorEnvelope, httpMetricsMiddleware, startProcessMetrics, validationExceptionFactory } from '@praxis/common';
import type { AppConfig } from '@praxis/config';
import { Logger } from 'nestjs-pino';
import qs from 'qs';
import { DASHBOARD_PATH, serveDashboard } from './dashboard.js';
import { JSON_TYPES, refuseHostileBodies, requireJsonBodies, securityHeaders } from './http-hardening.js';

export const API_PREFIX = 'api/v1';
export const DOCS_PATH = 'api/docs';

/** Everything about the HTTP surface that is not a controller; shared by main, tests and the OpenAPI export. */
export function configureApp(app: NestExpressApplication, config: AppConfig, opts: { logger?: boolean } = {}): void {
  if (opts.logger !== false) app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // No body hashing for ETags on every JSON answer: the API's lists change too often for them to pay.
  app.set('etag', false);
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // Order matters: headers first (errors get them too), then CORS (preflights carry no body),
  // then the body checks.
  startProcessMetrics();
  app.use(httpMetricsMiddleware);
  app.use(securityHeaders(DOCS_PATH, DASHBOARD_PATH));
  if (config.corsOrigins.length) {
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After'], maxAge: 600 });
  }
  app.use(requireJsonBodies);
  // Registered here, Nest's default parser (100 kb) is not added at init.
  app.useBodyParser('json', { limit: config.bodyLimit, type: JSON_TYPES });
  app.use(refuseHostileBodies);
  serveDashboard(app);
  // `property.room=B12` -> { property: { room: 'B12' } } (the list filter convention).
  app.set('query parser', (str: string) => qs.parse(str, { allowDots: true, depth: 8, parameterLimit: 200, arrayLimit: 50 }));
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: '.well-known/jwks.json', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useWebSocketAdapter(new EventsIoAdapter(app, config.corsOrigins));
  app.enableShutdownHooks();
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
}

export function buildOpenApiDocument(app: NestExpressApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('Praxis API')
    .setDescription(
      'Lab-automation orchestration: protocols, workcells, machines, runs. Authenticate with POST /api/v1/auth/login ' +
        'and send `Authorization: Bearer <accessToken>`. Every error answers `{ error: { code, message, details?, traceId } }`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, doc, {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
    extraModels: [ErrorEnvelope],
  });
  // Every operation can fail with the one envelope: say so once here (as the `default` response)
  // rather than on every handler, so generated clients type their errors.
  const errorResponse = {
    description: 'Error: the one envelope (`error.code` names what went wrong, `error.details` the fields)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
  };
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = path[method];
      if (op && !op.responses.default) op.responses.default = errorResponse;
    }
  }
  return document;
}

/** Socket.IO (the `/events` namespace) on the API's HTTP server, with the same CORS origins as REST. */
class EventsIoAdapter extends IoAdapter {
  constructor(
    app: NestExpressApplication,
    private readonly corsOrigins: string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Parameters<IoAdapter['createIOServer']>[1]): ReturnType<IoAdapter['createIOServer']> {
    return super.createIOServer(port, { ...options, serveClient: false, ...(this.corsOrigins.length ? { cors: { origin: this.corsOrigins } } : {}) } as typeof options);
  }
}
