import { METHODS } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

export interface AppRoute {
  method: string;
  /** Express path, e.g. `/api/v1/users/:id`. */
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/**
 * Every route the running app answers, read from the Express router itself (after the global
 * prefix, its exclusions and the Swagger pages are applied), so nothing can be left out by hand.
 * Layers that answer every HTTP method are Nest's not-found handlers (`all()`), not routes.
 */
export function appRoutes(app: NestExpressApplication): AppRoute[] {
  const stack = (app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router.stack;
  const seen = new Map<string, AppRoute>();
  for (const layer of stack) {
    if (!layer.route) continue;
    const methods = Object.entries(layer.route.methods).filter(([m, on]) => on && m !== '_all').map(([m]) => m.toUpperCase());
    if (layer.route.methods._all || METHODS.every((m) => methods.includes(m))) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths.map(String)) {
      for (const method of methods) {
        const route = { method, path };
        seen.set(routeKey(route), route);
      }
    }
  }
  return [...seen.values()];
}

export const routeKey = (r: AppRoute): string => `${r.method} ${r.path}`;

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A concrete URL for a route: every `:param` becomes a well-formed id that names nothing. */
export function urlFor(path: string): string {
  return path.replace(/:(\w+)/g, '01900000-0000-7000-8000-0000000000aa');
}
