import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@praxis/auth';
import { createTestApp, type TestApp } from '../support/app.js';
import { answerProblems } from '../support/error-body.js';
import { appRoutes, routeKey, urlFor, WRITE_METHODS } from '../support/routes.js';
import { ROUTE_ACCESS, type Access } from './route-access.js';

const IDENTITIES = ['anonymous', 'viewer', 'operator', 'admin'] as const;
type Identity = (typeof IDENTITIES)[number];
const RANK: Record<Identity, number> = { anonymous: 0, viewer: 1, operator: 2, admin: 3 };

/** 401 and 403 are the only denials; anything else (400, 404, 409...) means authorization let it through. */
function expectedFor(access: Access, who: Identity): 401 | 403 | 'allowed' {
  if (access === 'public') return 'allowed';
  if (access === 'metrics-token') return 401;
  if (who === 'anonymous') return 401;
  return RANK[who] >= RANK[access] ? 'allowed' : 403;
}

/**
 * Every route of the running app, called as anonymous, viewer, operator and admin, against the
 * committed decisions in route-access.ts. Empty bodies and ids that name nothing: a 400 or 404
 * proves the guards let the caller through; what matters is 401 vs 403 vs neither, and never a 5xx.
 */
describe('route access matrix', () => {
  let t: TestApp;
  let appKeys: Set<string>;
  const tokens: Partial<Record<Identity, string>> = {};

  beforeAll(async () => {
    t = await createTestApp();
    appKeys = new Set(appRoutes(t.app).map(routeKey));
    tokens.admin = await t.login();
    tokens.operator = (await t.createUser('matrix-operator', Role.Operator)).token;
    tokens.viewer = (await t.createUser('matrix-viewer', Role.Viewer)).token;
  });
  afterAll(() => t.close());

  it('reads a plausible route table from the app', () => {
    // Guards the reader itself: an empty or truncated table would make every check below vacuous.
    expect(appKeys.size).toBeGreaterThan(50);
    expect(appKeys).toContain('GET /api/v1/users/:id');
    expect(appKeys).toContain('GET /.well-known/jwks.json');
  });

  it('has a decision for every route of the app, and a route for every decision', () => {
    const routesWithoutDecision = [...appKeys].filter((k) => !(k in ROUTE_ACCESS)).sort();
    const decisionsWithoutRoute = Object.keys(ROUTE_ACCESS).filter((k) => !appKeys.has(k)).sort();
    // On failure: add a line per route to test/e2e/route-access.ts (or remove the stale one).
    expect({ routesWithoutDecision, decisionsWithoutRoute }).toEqual({ routesWithoutDecision: [], decisionsWithoutRoute: [] });
  });

  it.each(Object.entries(ROUTE_ACCESS))('%s is %s', async (key, access) => {
    expect(appKeys).toContain(key);
    const [method, path] = key.split(' ');
    const url = urlFor(path);
    const problems: string[] = [];
    await Promise.all(
      IDENTITIES.map(async (who) => {
        let req = t.http[method.toLowerCase() as 'get'](url);
        const token = tokens[who];
        if (token) req = req.set('Authorization', `Bearer ${token}`);
        const res = WRITE_METHODS.has(method) ? await req.send({}) : await req;
        const want = expectedFor(access, who);
        if (want === 'allowed') {
          if (res.status === 401 || res.status === 403) problems.push(`${who}: expected to pass, got ${res.status} ${res.text.slice(0, 200)}`);
          // Whatever else it answers (400, 404, 409...): never a 5xx, always the clean envelope.
          problems.push(...answerProblems(who, res));
        } else {
          problems.push(...answerProblems(who, res, { status: want, code: want === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' }));
        }
      }),
    );
    expect(problems).toEqual([]);
  });
});
