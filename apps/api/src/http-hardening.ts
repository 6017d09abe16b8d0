import { AppException, ErrorCode, type FieldError } from '@praxis/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** The only request bodies the API reads. */
export const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Security headers. The API answers JSON only, so its pages may load nothing and be framed by
 * nothing; the Swagger UI pages load their own scripts and stylesheets, and write inline styles
 * and data: images; the dashboard (`/` and `/<dashboardPath>/...`) loads its own modules and
 * stylesheet and connects to this origin. No `upgrade-insecure-requests`: a lab server is often plain http, and the
 * browser would then fetch the UI's assets over https and fail.
 */
export function securityHeaders(docsPath: string, dashboardPath: string): RequestHandler {
  // X-Frame-Options for browsers that predate CSP's frame-ancestors.
  const api = helmet({ frameguard: { action: 'deny' }, contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
  const docs = helmet({
    frameguard: { action: 'deny' },
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
  // The dashboard is plain modules and a stylesheet of its own: nothing inline at all, and it talks
  // only to this origin (REST and the Socket.IO websocket, which 'self' covers).
  const dashboard = helmet({
    frameguard: { action: 'deny' },
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  const isDocs = (path: string) => path === `/${docsPath}` || path.startsWith(`/${docsPath}/`);
  const isDashboard = (path: string) => path === '/' || path.startsWith(`/${dashboardPath}/`);
  return (req, res, next) => (isDocs(req.path) ? docs : isDashboard(req.path) ? dashboard : api)(req, res, next);
}

/**
 * A request that carries a body must say it is JSON: anything else (a form, text, a file) is
 * refused with 415 before a parser reads it, rather than being read as an empty object.
 */
export function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
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

/** Deeper JSON than any Praxis payload needs; class-transformer recurses and would overflow on it. */
export const MAX_BODY_DEPTH = 64;

/**
 * The first thing in a parsed body or query that must not reach the application: a string (or
 * key) holding U+0000, which PostgreSQL cannot store in text or jsonb (the driver's error would be
 * a 500), or nesting deeper than `maxDepth`. Iterative, so no input can overflow the stack here.
 */
export function findBodyProblem(root: unknown, maxDepth = MAX_BODY_DEPTH): FieldError | undefined {
  const pending: Array<[unknown, string, number]> = [[root, '', 0]];
  while (pending.length) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { field: path, message: `${path || 'body'} must not contain NUL characters (\\u0000)` };
    } else if (value !== null && typeof value === 'object') {
      if (depth >= maxDepth) return { field: path, message: `${path} nests deeper than ${maxDepth} levels` };
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) {
          const field = childPath.replaceAll('\u0000', '\\u0000');
          return { field, message: `${field}: keys must not contain NUL characters (\\u0000)` };
        }
        pending.push([child, childPath, depth + 1]);
      }
    }
  }
  return undefined;
}

export function refuseHostileBodies(req: Request, _res: Response, next: NextFunction): void {
  const problem = findBodyProblem(req.body) ?? findBodyProblem(req.query);
  next(problem ? AppException.validation([problem]) : undefined);
}
