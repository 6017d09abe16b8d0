import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppException } from '@praxis/common';
import type { NextFunction, Request, Response } from 'express';

/** Where the dashboard's files are served: the page at `/`, its scripts and styles under this path. */
export const DASHBOARD_PATH = 'dashboard';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The folder of the dashboard's static files (`apps/api/dashboard`), found by walking up from this
 * module: it is `apps/api/src` under Jest and `dist/apps/api/src` once built, and the files are
 * not compiled, so both read them from the source tree (the Docker image copies the folder).
 */
export function findDashboardDir(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'api', 'dashboard');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * File name -> absolute path: the dashboard's own files, and the browser build of the Socket.IO
 * client that the server package ships (`client-dist`, the build `serveClient` would serve, so it
 * always matches the server's version).
 */
function dashboardFiles(dir: string | null): Map<string, string> {
  const files = new Map<string, string>();
  if (dir) for (const name of readdirSync(dir)) if (TYPES[extname(name)] && name !== 'index.html') files.set(name, join(dir, name));
  const client = join(dirname(createRequire(import.meta.url).resolve('socket.io/package.json')), 'client-dist', 'socket.io.esm.min.js');
  if (existsSync(client)) files.set('socket.io.esm.min.js', client);
  return files;
}

/**
 * The dashboard: `GET /` (the page) and `GET /dashboard/:file` (its modules and stylesheet). They
 * are static and hold no data, so they are public; every data call the page makes is authenticated
 * like any client's. Only the files listed at start are served (no path from the request reaches
 * the file system); any other name answers the JSON 404.
 */
export function serveDashboard(app: NestExpressApplication): void {
  const dir = findDashboardDir();
  const files = dashboardFiles(dir);
  const send = (path: string, res: Response, next: NextFunction) => {
    res.type(TYPES[extname(path)] ?? 'application/octet-stream');
    // Revalidated on every load, so an upgraded API never runs with an old page.
    res.sendFile(path, { headers: { 'Cache-Control': 'no-cache' }, lastModified: true, etag: true }, (err) => err && next(err));
  };
  const http = app.getHttpAdapter().getInstance() as { get: (path: string, handler: (req: Request, res: Response, next: NextFunction) => void) => void };
  http.get('/', (_req, res, next) => (dir ? send(join(dir, 'index.html'), res, next) : next(AppException.notFound('Dashboard (apps/api/dashboard is missing)'))));
  http.get(`/${DASHBOARD_PATH}/:file`, (req, res, next) => {
    const path = files.get(String(req.params.file));
    if (path) send(path, res, next);
    else next(AppException.notFound('Dashboard file', String(req.params.file).slice(0, 100)));
  });
}
