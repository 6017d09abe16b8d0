import { RequestMethod, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AllExceptionsFilter, AppException, ErrorCode, validationExceptionFactory } from '@praxis/common';
import type { AppConfig } from '@praxis/config';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import qs from 'qs';

export const API_PREFIX = 'api/v1';
export const DOCS_PATH = 'api/docs';

/** The only request bodies the API reads. */
const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Security headers. The API answers JSON only, so its pages may load nothing and be framed by
 * nothing; the Swagger UI pages load their own scripts and stylesheets, and write inline styles
 * and data: images. No `upgrade-insecure-requests`: a lab server is often plain http, and the
 * browser would then fetch the UI's assets over https and fail.
 */
function securityHeaders(): (req: Request, res: Response, next: NextFunction) => void {
  const api = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
  const docs = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  const docsPrefix = `/${DOCS_PATH}/`;
  return (req, res, next) => ((req.path === `/${DOCS_PATH}` || req.path.startsWith(docsPrefix) ? docs : api)(req, res, next));
}

/**
 * A request that carries a body must say it is JSON: anything else (a form, text, a file) is
 * refused with 415 before a parser reads it, rather than being read as an empty object.
 */
function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody || req.is(JSON_TYPES)) return next();
  const type = req.headers['content-type'];
  next(
    new AppException(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `Request bodies must be JSON (Content-Type: application/json)${type ? `; got ${type.split(';')[0].slice(0, 100)}` : '; no Content-Type given'}`,
    ),
  );
}

/** Everything about the HTTP surface that is not a controller; shared by main, tests and the OpenAPI export. */
/**
 * The path of the first string (or key) holding U+0000 in a parsed body or query. PostgreSQL
 * cannot store that character in text or jsonb, and the driver's error would be a 500; iterative,
 * so a deeply nested body cannot overflow the stack.
 */
export function findNulCharacter(root: unknown): string | undefined {
  const pending: Array<[unknown, string]> = [[root, '']];
  while (pending.length) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) return childPath.replaceAll('\u0000', '\\u0000');
        pending.push([child, childPath]);
      }
    }
  }
  return undefined;
}

function refuseNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  const field = findNulCharacter(req.body) ?? findNulCharacter(req.query);
  if (field === undefined) return next();
  next(AppException.validation([{ field, message: `${field || 'body'} must not contain NUL characters (\\u0000)` }]));
}

export function configureApp(app: NestExpressApplication, config: AppConfig, opts: { logger?: boolean } = {}): void {
  if (opts.logger !== false) app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // No body hashing for ETags on every JSON answer: the API's lists change too often for them to pay.
  app.set('etag', false);
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // Order matters: headers first (errors get them too), then CORS (preflights carry no body),
  // then the body checks.
  app.use(securityHeaders());
  if (config.corsOrigins.length) {
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After'], maxAge: 600 });
  }
  app.use(requireJsonBodies);
  // Registered here, Nest's default parser (100 kb) is not added at init.
  app.useBodyParser('json', { limit: config.bodyLimit, type: JSON_TYPES });
  app.use(refuseNulCharacters);
  // `property.room=B12` -> { property: { room: 'B12' } } (the list filter convention).
  app.set('query parser', (str: string) => qs.parse(str, { allowDots: true, depth: 8, parameterLimit: 200, arrayLimit: 50 }));
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: '.well-known/jwks.json', method: RequestMethod.GET }] });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.useGlobalFilters(new AllExceptionsFilter());
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
  return SwaggerModule.createDocument(app, doc, {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
}
