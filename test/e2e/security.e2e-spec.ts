import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@praxis/auth';
import { createTestApp, type TestApp } from '../support/app.js';
import { answerProblems } from '../support/error-body.js';
import { appRoutes, urlFor, WRITE_METHODS, type AppRoute } from '../support/routes.js';

const ALLOWED_ORIGIN = 'https://dashboard.lab.example';
const OTHER_ALLOWED_ORIGIN = 'https://tablet.lab.example';
const REFUSED_ORIGIN = 'https://evil.example';

interface Res {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string>;
}

/** The one envelope with this status and code, and nothing in it that betrays the internals. */
const envelopeProblems = (what: string, res: Res, status: number, code: string) => answerProblems(what, res, { status, code });

function cspOf(res: Res): Record<string, string[]> {
  const header = res.headers['content-security-policy'] ?? '';
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('security', () => {
  // Two api instances on the same Redis (the login limits must hold across them); the first with
  // small limits and CORS, the second with the defaults (1 MB bodies, no CORS). Like replicas, they
  // share the database and the signing key (Passport's strategy registry is global to the process,
  // so one instance's tokens are checked by the other's strategy in this test).
  let t: TestApp;
  let t2: TestApp;
  let auth: { Authorization: string };
  let writeRoutes: AppRoute[];
  const limits = {
    BODY_LIMIT: '16kb',
    CORS_ORIGINS: `${ALLOWED_ORIGIN}, ${OTHER_ALLOWED_ORIGIN}`,
    AUTH_LOGIN_MAX_FAILURES: '3',
    AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
    AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
    AUTH_LOGIN_WINDOW_SECONDS: '120',
    // Client addresses come from X-Forwarded-For set by the test (the test client is the "proxy").
    TRUST_PROXY: 'loopback',
  };

  beforeAll(async () => {
    const AUTH_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    t = await createTestApp({ ...limits, AUTH_PRIVATE_KEY });
    t2 = await createTestApp({ ...limits, AUTH_PRIVATE_KEY, BODY_LIMIT: '', CORS_ORIGINS: '', DATABASE_URL: t.config.database.url });
    auth = { Authorization: `Bearer ${await t.login()}` };
    writeRoutes = appRoutes(t.app).filter((r) => WRITE_METHODS.has(r.method));
  });
  afterAll(async () => {
    await t2?.close();
    await t?.close();
  });

  describe('security headers', () => {
    it('JSON answers, errors included, forbid loading, framing and sniffing anything', async () => {
      for (const res of [
        await t.http.get('/api/v1/health'),
        await t.http.get('/api/v1/users'),
        await t.http.get('/api/v1/no-such-route'),
        await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{'),
      ]) {
        expect(cspOf(res)).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
        expect(res.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'strict-transport-security': expect.stringMatching(/max-age=\d+/),
          'cross-origin-opener-policy': 'same-origin',
        });
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('the Swagger UI page is allowed exactly what it loads: its own scripts and styles, inline styles, data: images', async () => {
      const page = await t.http.get('/api/docs').expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const csp = cspOf(page);
      expect(csp['script-src']).toEqual(["'self'"]);
      expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp['img-src']).toEqual(["'self'", 'data:']);
      expect(csp['connect-src']).toEqual(["'self'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      expect(csp).not.toHaveProperty('upgrade-insecure-requests');

      // No inline script (script-src has no 'unsafe-inline'); every script and stylesheet it names is
      // served from this origin under the same policy.
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const assets = [...page.text.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)=["']([^"']+)["']/g)].map((m) => m[1]);
      expect(assets.filter((a) => a.endsWith('.js')).length).toBeGreaterThanOrEqual(3);
      expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
      for (const asset of assets) {
        const url = new URL(asset, 'http://praxis.test/api/docs');
        expect(url.origin).toBe('http://praxis.test');
        const res = await t.http.get(url.pathname).buffer(true);
        expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
        if (asset.endsWith('.js')) expect(res.headers['content-type']).toMatch(/javascript/);
        expect(cspOf(res)['script-src']).toEqual(["'self'"]);
      }
      // The init script carries the document it renders.
      const init = await t.http.get('/api/docs/swagger-ui-init.js').buffer(true).expect(200);
      expect(init.text).toMatch(/"operationId":\s*"listUsers"/);
      await t.http.get('/api/docs-json').expect(200).expect('Content-Type', /json/);
    });

    it('the dashboard loads only its own modules and stylesheet, nothing inline, and talks only to this origin', async () => {
      const page = await t.http.get('/').expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const policy = {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      };
      expect(cspOf(page)).toEqual(policy);
      expect(page.headers['x-frame-options']).toBe('DENY');
      // No inline script or style: every script and stylesheet is a file of this origin.
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page.text).not.toMatch(/<style|\sstyle=/);
      const assets = [...page.text.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)=["']([^"']+)["']/g)].map((m) => m[1]);
      // (The empty data: icon only spares the browser a favicon request.)
      expect(assets).toEqual(['data:,', '/dashboard/style.css', '/dashboard/app.js']);
      // app.js imports the other modules, and the Socket.IO client build from the server package.
      for (const asset of [...assets.slice(1), '/dashboard/api.js', '/dashboard/deck.js', '/dashboard/run.js', '/dashboard/ui.js', '/dashboard/workcell.js', '/dashboard/socket.io.esm.min.js']) {
        const res = await t.http.get(asset).buffer(true);
        expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
        expect(res.headers['content-type']).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
        expect(cspOf(res)).toEqual(policy);
        // Modules set attributes and text, never inline styles or HTML strings.
        if (asset.endsWith('.js') && !asset.includes('socket.io')) expect(res.text).not.toMatch(/innerHTML|\.style\.|setAttribute\('style'|eval\(|new Function/);
      }
      // Nothing but the listed files: other names and traversal answer the JSON 404.
      for (const path of ['/dashboard/nope.js', '/dashboard/..%2Fsrc%2Fmain.ts', '/dashboard/%2E%2E%2F%2E%2E%2Fpackage.json', '/dashboard/index.html', '/dashboard/.env']) {
        const res = await t.http.get(path);
        expect(answerProblems(path, res, { status: 404, code: 'NOT_FOUND' })).toEqual([]);
        expect(res.text).not.toContain('"name": "praxis"');
      }
      // The JSON API keeps its own policy.
      expect(cspOf(await t.http.get('/api/v1/nope'))).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
    });
  });

  describe('CORS from CORS_ORIGINS', () => {
    it('answers an allowed origin, errors included, and exposes the request id', async () => {
      for (const origin of [ALLOWED_ORIGIN, OTHER_ALLOWED_ORIGIN]) {
        const ok = await t.http.get('/api/v1/health').set('Origin', origin).expect(200);
        expect(ok.headers['access-control-allow-origin']).toBe(origin);
        expect(ok.headers['vary']).toMatch(/Origin/);
        expect(ok.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
      }
      // A browser client must be able to read why it was refused.
      const denied = await t.http.get('/api/v1/users').set('Origin', ALLOWED_ORIGIN).expect(401);
      expect(denied.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    });

    it('lets an allowed origin preflight an authenticated JSON write', async () => {
      const res = await t.http
        .options('/api/v1/workcells')
        .set('Origin', ALLOWED_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(res.headers['access-control-allow-headers']).toMatch(/authorization/i);
    });

    it('never grants another origin, and grants none when CORS_ORIGINS is unset', async () => {
      const simple = await t.http.get('/api/v1/health').set('Origin', REFUSED_ORIGIN).expect(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.http
        .options('/api/v1/workcells')
        .set('Origin', REFUSED_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      // A look-alike of an allowed origin is another origin.
      const lookalike = await t.http.get('/api/v1/health').set('Origin', `${ALLOWED_ORIGIN}.evil.example`).expect(200);
      expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();

      const none = await t2.http.get('/api/v1/health').set('Origin', ALLOWED_ORIGIN).expect(200);
      expect(none.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('request bodies', () => {
    it('BODY_LIMIT is enforced: 413 PAYLOAD_TOO_LARGE above it, read normally below it', async () => {
      const under = await t.http.post('/api/v1/workcells').set(auth).send({ name: 'x'.repeat(15_000) });
      expect(under.status).toBe(400); // read and validated (the name is too long), not refused
      expect(under.body.error.code).toBe('VALIDATION_FAILED');
      const over = await t.http.post('/api/v1/workcells').set(auth).send({ name: 'x'.repeat(17_000) });
      expect(envelopeProblems('16kb + 1', over, 413, 'PAYLOAD_TOO_LARGE')).toEqual([]);
      // The limit applies to the inflated body: a small gzip of a large one is refused too.
      // superagent would re-encode the buffer as JSON; send the bytes as they are.
      const asIs = ((b: Buffer) => b) as unknown as (obj: unknown) => string;
      const bomb = gzipSync(Buffer.from(JSON.stringify({ name: ' '.repeat(5_000_000) })));
      expect(bomb.length).toBeLessThan(16_000);
      const gz = await t.http.post('/api/v1/workcells').set(auth).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(asIs).send(bomb);
      expect(envelopeProblems('gzip', gz, 413, 'PAYLOAD_TOO_LARGE')).toEqual([]);
    });

    it('the default limit is 1 MB', async () => {
      const token = await t2.login();
      const post = (bytes: number) =>
        t2.http.post('/api/v1/workcells').set('Authorization', `Bearer ${token}`).send({ name: 'x', properties: { blob: 'x'.repeat(bytes) } });
      const under = await post(1_000_000);
      expect(under.status).not.toBe(413);
      expect(under.status).toBeLessThan(500);
      expect(envelopeProblems('1 MB + 1', await post(1_048_600), 413, 'PAYLOAD_TOO_LARGE')).toEqual([]);
    });

    it('every write route answers malformed JSON, deep nesting, oversized bodies and non-JSON bodies in the envelope, never with internals', async () => {
      expect(writeRoutes.length).toBeGreaterThan(20);
      const problems: string[] = [];
      const big = JSON.stringify({ name: 'x'.repeat(20_000) });
      // Small, but deep enough to overflow a recursive transformer.
      const deep = `{"name":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
      await Promise.all(
        writeRoutes.map(async ({ method, path }) => {
          const url = urlFor(path);
          const call = () => t.http[method.toLowerCase() as 'post'](url).set(auth);
          const what = (s: string) => `${method} ${path} ${s}`;
          problems.push(
            ...envelopeProblems(what('malformed JSON'), await call().set('Content-Type', 'application/json').send('{"name": "x",'), 400, 'INVALID_JSON'),
            ...envelopeProblems(what('a JSON scalar'), await call().set('Content-Type', 'application/json').send('"x"'), 400, 'INVALID_JSON'),
            ...envelopeProblems(what('deeply nested'), await call().set('Content-Type', 'application/json').send(deep), 400, 'VALIDATION_FAILED'),
            ...envelopeProblems(what('oversized'), await call().set('Content-Type', 'application/json').send(big), 413, 'PAYLOAD_TOO_LARGE'),
            ...envelopeProblems(what('text/plain'), await call().set('Content-Type', 'text/plain').send('name=x'), 415, 'UNSUPPORTED_MEDIA_TYPE'),
            ...envelopeProblems(what('a form'), await call().type('form').send({ name: 'x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'),
            ...envelopeProblems(what('no content type'), await call().set('Content-Type', '').send(Buffer.from('{"name":"x"}')), 415, 'UNSUPPORTED_MEDIA_TYPE'),
          );
        }),
      );
      expect(problems).toEqual([]);
    });

    it('every route answers hostile ids and query strings with a clean 4xx (or ignores the query), never with internals', async () => {
      const routes = appRoutes(t.app).filter((r) => !r.path.startsWith('/api/docs'));
      expect(routes.length).toBeGreaterThan(50);
      const q = encodeURIComponent;
      // One hostile parameter at a time, so each gets past the others' validation to where it is used.
      const queries = [
        '',
        'limit=-1',
        'limit=1e308',
        'offset=99999999999999999999',
        `sort=${q('name;DROP TABLE runs')}`,
        `sort=${q('-"name"')}`,
        'createdFrom=yesterday',
        `createdFrom=${q('2020-01-01T00:00:00Z')}&createdTo=${q('2999-01-01T00:00:00Z')}`,
        'after=99999999999999999999',
        'status[$ne]=x',
        `search=${q("%'_\\")}`,
        `${q("property.a'b")}=1`,
        `property.room=${q("x' OR '1'='1")}`,
        `${q('property.a.b.c.d.e.f.g.h.i')}=1`,
      ];
      const hostileId = q("x' OR '1'='1");
      const problems: string[] = [];
      let calls = 0;
      for (const query of queries) {
        // Hostile ids on every route; the query strings on the reads (writes take no list queries).
        const targets = query ? routes.filter((r) => r.method === 'GET') : routes;
        await Promise.all(
          targets.map(async ({ method, path }) => {
            const url = `${path.replace(/:(\w+)/g, hostileId)}${query ? `?${query}` : ''}`;
            let req = t.http[method.toLowerCase() as 'get'](url).set(auth);
            if (WRITE_METHODS.has(method)) req = req.send({});
            const res = await req;
            calls++;
            problems.push(...answerProblems(`${method} ${url}`, res));
            if (path.includes(':') && res.status < 400) problems.push(`${method} ${url}: a hostile id answered ${res.status}`);
          }),
        );
      }
      expect(calls).toBe(routes.length + routes.filter((r) => r.method === 'GET').length * (queries.length - 1));
      expect(problems).toEqual([]);
    });

    it('a NUL character anywhere in a body or query is a 400 naming the field, not a database error', async () => {
      const body = await t.http.post('/api/v1/workcells').set(auth).send({ name: 'nul\u0000cell' });
      expect(envelopeProblems('body', body, 400, 'VALIDATION_FAILED')).toEqual([]);
      expect(body.body.error.details.fields).toEqual(['name']);
      const nested = await t.http.post('/api/v1/workcells').set(auth).send({ name: 'ok-cell', properties: { notes: ['fine', 'bad\u0000'] } });
      expect(envelopeProblems('nested', nested, 400, 'VALIDATION_FAILED')).toEqual([]);
      expect(nested.body.error.details.fields).toEqual(['properties.notes.1']);
      const query = await t.http.get('/api/v1/workcells?search=a%00b').set(auth);
      expect(envelopeProblems('query', query, 400, 'VALIDATION_FAILED')).toEqual([]);
      expect(query.body.error.details.fields).toEqual(['search']);
    });
  });

  describe('login rate limit', () => {
    const login = (app: TestApp, username: string, password: string, address: string) =>
      app.http.post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ username, password });

    it('per account and address: 429 with Retry-After in the envelope, counted across api instances', async () => {
      await t.createUser('limited-user', Role.Viewer, 'right-password');
      const address = '203.0.113.10';
      // Failures alternate between the two instances; the limit (3) holds over their sum.
      expect((await login(t, 'limited-user', 'wrong-1', address)).status).toBe(401);
      expect((await login(t2, 'limited-user', 'wrong-2', address)).status).toBe(401);
      expect((await login(t, 'limited-user', 'wrong-3', address)).status).toBe(401);
      for (const app of [t2, t]) {
        const res = await login(app, 'limited-user', 'right-password', address);
        expect(envelopeProblems('limited', res, 429, 'TOO_MANY_REQUESTS')).toEqual([]);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(120);
        expect(res.body.error.details).toEqual({ retryAfterSeconds: Number(res.headers['retry-after']), scope: 'account-address' });
      }
      // The same account from another address, and another account from this one, still log in.
      expect((await login(t, 'limited-user', 'right-password', '203.0.113.11')).status).toBe(200);
      expect((await login(t2, 'admin', 'admin-password-1', address)).status).not.toBe(429);
    });

    it('concurrent guesses cannot slip past the limit', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => login(i % 2 ? t : t2, 'racer', `guess-${i}`, '203.0.113.20')));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    });

    it('per address: one address guessing many usernames is stopped', async () => {
      const address = '203.0.113.30';
      for (let i = 0; i < 6; i++) expect((await login(t, `spray-${i}`, 'Winter2025!', address)).status).toBe(401);
      const res = await login(t2, 'spray-next', 'Winter2025!', address);
      expect(envelopeProblems('spraying', res, 429, 'TOO_MANY_REQUESTS')).toEqual([]);
      expect(res.body.error.details.scope).toBe('address');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect((await login(t, 'spray-next', 'Winter2025!', '203.0.113.31')).status).toBe(401);
    });

    it('per account: many addresses guessing one account are stopped, even with the right password', async () => {
      await t.createUser('distributed', Role.Viewer, 'right-password');
      for (let i = 0; i < 5; i++) expect((await login(i % 2 ? t : t2, 'distributed', `guess-${i}`, `198.51.100.${i + 1}`)).status).toBe(401);
      const res = await login(t, 'distributed', 'right-password', '198.51.100.99');
      expect(envelopeProblems('distributed', res, 429, 'TOO_MANY_REQUESTS')).toEqual([]);
      expect(res.body.error.details.scope).toBe('account');
    });

    it('a successful login takes back its own attempt only', async () => {
      await t.createUser('good-user', Role.Viewer, 'right-password');
      const address = '203.0.113.40';
      // Many successes from one address never add up to a limit.
      for (let i = 0; i < 8; i++) expect((await login(i % 2 ? t : t2, 'good-user', 'right-password', address)).status).toBe(200);
      // Two failures, a success (clears this account+address), then three more failures are allowed.
      for (const pw of ['bad-1', 'bad-2']) expect((await login(t, 'good-user', pw, address)).status).toBe(401);
      expect((await login(t, 'good-user', 'right-password', address)).status).toBe(200);
      for (const pw of ['bad-3', 'bad-4', 'bad-5']) expect((await login(t, 'good-user', pw, address)).status).toBe(401);
      expect((await login(t, 'good-user', 'right-password', address)).status).toBe(429);
    });
  });

  it('none of it answered 500 or logged at error level', () => {
    for (const app of [t, t2]) {
      expect(app.logs.errors()).toEqual([]);
      expect(app.logs.lines.filter((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 500)).toEqual([]);
    }
  });
});
