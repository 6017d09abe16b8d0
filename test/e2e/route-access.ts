/**
 * The access decision for every route of the API: the least role it needs, or `public`.
 * test/e2e/route-access.e2e-spec.ts reads the app's own route table and fails when a route has no
 * line here (add one when you add a route), when a line names a route the app lacks, or when
 * the app answers a caller differently from what the line says. Roles rank admin > operator >
 * viewer; `viewer` also stands for "any authenticated user" (routes without @Roles); `metrics-token`:
 * no user token opens it, only the METRICS_TOKEN bearer (test/e2e/metrics.e2e-spec.ts).
 * Keys are `METHOD path` with Express path parameters, exactly as the failure message prints them.
 */
export type Access = 'public' | 'viewer' | 'operator' | 'admin' | 'metrics-token';

export const ROUTE_ACCESS: Record<string, Access> = {
  // health, login, JWKS, the API docs and the dashboard's files are the only public routes
  'GET /api/v1/health': 'public',
  'POST /api/v1/auth/login': 'public',
  'GET /.well-known/jwks.json': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/': 'public',
  'GET /api/docs/index.html': 'public',
  'GET /api/docs/LICENSE': 'public',
  'GET /api/docs/swagger-ui-init.js': 'public',
  'GET /api/docs/docs/swagger-ui-init.js': 'public',
  'GET /api/docs-json': 'public',
  'GET /api/docs-yaml': 'public',
  // the dashboard's static page, modules and stylesheet (no data: every call they make is authenticated)
  'GET /': 'public',
  'GET /dashboard/:file': 'public',
  // Prometheus: only the METRICS_TOKEN bearer opens it (no user token does; unset: closed)
  'GET /metrics': 'metrics-token',
  'GET /metrics/': 'metrics-token',

  'GET /api/v1/auth/me': 'viewer',

  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'GET /api/v1/users/:id': 'admin',
  'PATCH /api/v1/users/:id': 'admin',
  'DELETE /api/v1/users/:id': 'admin',

  'GET /api/v1/workcells': 'viewer',
  'POST /api/v1/workcells': 'admin',
  'GET /api/v1/workcells/:id': 'viewer',
  'PATCH /api/v1/workcells/:id': 'admin',
  'DELETE /api/v1/workcells/:id': 'admin',

  'GET /api/v1/resources/definitions': 'viewer',
  'POST /api/v1/resources/definitions': 'admin',
  'GET /api/v1/resources/definitions/facets': 'viewer',
  'GET /api/v1/resources/definitions/:id': 'viewer',
  'GET /api/v1/resources': 'viewer',
  'POST /api/v1/resources': 'admin',
  'GET /api/v1/resources/:id': 'viewer',
  'PATCH /api/v1/resources/:id': 'admin',
  'DELETE /api/v1/resources/:id': 'admin',

  'GET /api/v1/machines/definitions': 'viewer',
  'POST /api/v1/machines/definitions': 'admin',
  'GET /api/v1/machines/definitions/:id': 'viewer',
  'GET /api/v1/machines': 'viewer',
  'POST /api/v1/machines': 'admin',
  'GET /api/v1/machines/:id': 'viewer',
  'PATCH /api/v1/machines/:id': 'admin',
  'DELETE /api/v1/machines/:id': 'admin',
  'PATCH /api/v1/machines/:id/status': 'operator',

  'GET /api/v1/decks/types': 'viewer',
  'POST /api/v1/decks/types': 'admin',
  'GET /api/v1/decks/types/:id': 'viewer',
  'GET /api/v1/decks': 'viewer',
  'POST /api/v1/decks': 'admin',
  'GET /api/v1/decks/:id': 'viewer',
  'GET /api/v1/decks/:id/state': 'viewer',
  'PATCH /api/v1/decks/:id': 'admin',
  'DELETE /api/v1/decks/:id': 'admin',
  'GET /api/v1/deck-layouts': 'viewer',
  'POST /api/v1/deck-layouts': 'admin',
  'GET /api/v1/deck-layouts/:id': 'viewer',
  'PATCH /api/v1/deck-layouts/:id': 'admin',
  'DELETE /api/v1/deck-layouts/:id': 'admin',
  'GET /api/v1/deck-layouts/:id/render': 'viewer',

  'POST /api/v1/discovery/sync': 'admin',

  'GET /api/v1/protocols/sources': 'viewer',
  'POST /api/v1/protocols/sources': 'admin',
  'GET /api/v1/protocols/sources/:id': 'viewer',
  'PATCH /api/v1/protocols/sources/:id': 'admin',
  'DELETE /api/v1/protocols/sources/:id': 'admin',
  'POST /api/v1/protocols/sources/:id/sync': 'admin',
  'GET /api/v1/protocols/definitions': 'viewer',
  'GET /api/v1/protocols/definitions/:id': 'viewer',
  'POST /api/v1/protocols/definitions/:id/simulate': 'operator',

  'POST /api/v1/runs': 'operator',
  'GET /api/v1/runs': 'viewer',
  'GET /api/v1/runs/:id': 'viewer',
  'GET /api/v1/runs/:id/transitions': 'viewer',
  'POST /api/v1/runs/:id/actions': 'operator',
  'POST /api/v1/runs/:id/pause': 'operator',
  'POST /api/v1/runs/:id/resume': 'operator',
  'POST /api/v1/runs/:id/cancel': 'operator',
  'POST /api/v1/runs/:id/restart': 'operator',
  'GET /api/v1/system/status': 'admin',
  'POST /api/v1/system/reconcile': 'admin',
  'GET /api/v1/runs/:id/calls': 'viewer',
  'GET /api/v1/runs/:id/commands': 'viewer',
  'GET /api/v1/runs/:id/state': 'viewer',
  'GET /api/v1/runs/:id/outputs': 'viewer',
  'GET /api/v1/runs/:id/events': 'viewer',
  'POST /api/v1/runs/:id/input': 'operator',
  'GET /api/v1/outputs': 'viewer',
  'GET /api/v1/reservations': 'viewer',
  'DELETE /api/v1/reservations/:assetId': 'admin',

  'POST /api/v1/schedules': 'operator',
  'GET /api/v1/schedules': 'viewer',
  'GET /api/v1/schedules/:id': 'viewer',
  'PATCH /api/v1/schedules/:id': 'operator',
  'DELETE /api/v1/schedules/:id': 'operator',
  'POST /api/v1/schedules/:id/pause': 'operator',
  'POST /api/v1/schedules/:id/resume': 'operator',
  'GET /api/v1/schedules/:id/runs': 'viewer',

  'POST /api/v1/notifications/rules': 'operator',
  'GET /api/v1/notifications/rules': 'viewer',
  'GET /api/v1/notifications/rules/:id': 'viewer',
  'PATCH /api/v1/notifications/rules/:id': 'operator',
  'DELETE /api/v1/notifications/rules/:id': 'operator',
  'GET /api/v1/notifications/deliveries': 'viewer',
  'GET /api/v1/notifications/deliveries/:id': 'viewer',

  'GET /api/v1/audit': 'admin',
};
