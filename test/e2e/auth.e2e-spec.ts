import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@praxis/auth';
import jwt from 'jsonwebtoken';
import { ADMIN, createTestApp, type TestApp } from '../support/app.js';
import { decodeToken, otherKey, sign, tamper, unsigned } from '../support/tokens.js';

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('auth: login, tokens, JWKS, roles', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await createTestApp({ AUTH_LOGIN_MAX_FAILURES: '3', AUTH_LOGIN_WINDOW_SECONDS: '60' });
    adminToken = await t.login();
  });
  afterAll(() => t.close());

  it('logs in with username and password and answers an RS256 bearer token', async () => {
    const res = await t.http.post('/api/v1/auth/login').send(ADMIN).expect(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    const { header, payload } = decodeToken(res.body.accessToken);
    expect(header.alg).toBe('RS256');
    expect(header.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ iss: 'praxis', aud: 'praxis-api', roles: ['admin'], username: 'admin' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('publishes the signing key at /.well-known/jwks.json, and tokens verify against it', async () => {
    const res = await t.http.get('/.well-known/jwks.json').expect(200);
    expect(res.body.keys).toHaveLength(1);
    const jwk = res.body.keys[0];
    expect(jwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: decodeToken(adminToken).header.kid });
    expect(jwk).not.toHaveProperty('d');
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(() => jwt.verify(adminToken, key, { algorithms: ['RS256'], issuer: 'praxis', audience: 'praxis-api' })).not.toThrow();
  });

  it('keeps the signing key under the data dir with owner-only permissions', () => {
    const file = join(t.config.dataDir, 'keys', 'jwt-private.pem');
    const pem = readFileSync(file, 'utf8');
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('rsa');
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('GET /auth/me names the caller and their roles', async () => {
    const res = await t.http.get('/api/v1/auth/me').set(bearer(adminToken)).expect(200);
    expect(res.body).toMatchObject({ username: 'admin', roles: ['admin'], issuer: 'praxis', userId: expect.any(String) });
  });

  it('rejects a wrong password with 401, an unknown user alike, and never says which', async () => {
    const wrong = await t.http.post('/api/v1/auth/login').send({ username: 'admin', password: 'nope-nope' }).expect(401);
    const unknown = await t.http.post('/api/v1/auth/login').send({ username: 'ghost', password: 'nope-nope' }).expect(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('answers 429 with Retry-After after repeated failures, even for the right password', async () => {
    await t.createUser('bruteforced', Role.Viewer, 'right-password');
    for (let i = 0; i < 3; i++) {
      await t.http.post('/api/v1/auth/login').send({ username: 'bruteforced', password: `guess-${i}` }).expect(401);
    }
    const limited = await t.http.post('/api/v1/auth/login').send({ username: 'bruteforced', password: 'guess-x' }).expect(429);
    expect(limited.body.error.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await t.http.post('/api/v1/auth/login').send({ username: 'bruteforced', password: 'right-password' }).expect(429);
    // Other accounts are not locked out by it.
    await t.http.post('/api/v1/auth/login').send(ADMIN).expect(200);
  });

  describe('every route but health, login and JWKS needs a valid token', () => {
    const me = '/api/v1/auth/me';

    it('no token -> 401 with WWW-Authenticate', async () => {
      const res = await t.http.get(me).expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      await t.http.get('/api/v1/users').expect(401);
    });

    it('garbage and non-bearer schemes -> 401', async () => {
      await t.http.get(me).set('Authorization', 'Bearer not.a.jwt').expect(401);
      await t.http.get(me).set('Authorization', `Basic ${Buffer.from('admin:x').toString('base64')}`).expect(401);
    });

    it('expired token -> 401', async () => {
      const key = createPrivateKey(readFileSync(join(t.config.dataDir, 'keys', 'jwt-private.pem')));
      const { header, payload } = decodeToken(adminToken);
      const expired = sign({ username: 'admin', roles: ['admin'] }, key, {
        keyid: header.kid,
        issuer: 'praxis',
        audience: 'praxis-api',
        subject: payload.sub,
        expiresIn: -10,
      });
      const res = await t.http.get(me).set(bearer(expired)).expect(401);
      expect(res.body.error.message).toMatch(/expired/i);
    });

    it('wrong issuer or wrong audience, even signed with the real key -> 401', async () => {
      const key = createPrivateKey(readFileSync(join(t.config.dataDir, 'keys', 'jwt-private.pem')));
      const { header, payload } = decodeToken(adminToken);
      const base = { keyid: header.kid, subject: payload.sub, expiresIn: 600 };
      const wrongIss = sign({ roles: ['admin'] }, key, { ...base, issuer: 'https://evil.example', audience: 'praxis-api' });
      const wrongAud = sign({ roles: ['admin'] }, key, { ...base, issuer: 'praxis', audience: 'another-api' });
      await t.http.get(me).set(bearer(wrongIss)).expect(401);
      await t.http.get(me).set(bearer(wrongAud)).expect(401);
    });

    it('alg none -> 401', async () => {
      const { header, payload } = decodeToken(adminToken);
      await t.http.get(me).set(bearer(unsigned(payload, header.kid))).expect(401);
    });

    it('signed by another key (same kid or none) -> 401', async () => {
      const { header, payload } = decodeToken(adminToken);
      const claims = { username: 'admin', roles: ['admin'] };
      const opts = { issuer: 'praxis', audience: 'praxis-api', subject: payload.sub, expiresIn: 600 };
      await t.http.get(me).set(bearer(sign(claims, otherKey(), { ...opts, keyid: header.kid }))).expect(401);
      await t.http.get(me).set(bearer(sign(claims, otherKey(), opts))).expect(401);
    });

    it('HS256 signed with the public key as secret (key confusion) -> 401', async () => {
      const jwks = (await t.http.get('/.well-known/jwks.json')).body;
      const pem = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      const { header, payload } = decodeToken(adminToken);
      const forged = jwt.sign({ ...payload }, pem, { algorithm: 'HS256', keyid: header.kid } as jwt.SignOptions);
      await t.http.get(me).set(bearer(forged)).expect(401);
    });

    it('tampered claims (role escalation) -> 401', async () => {
      const { token } = await t.createUser('tamperer', Role.Viewer);
      const forged = tamper(token, (p) => ({ ...p, roles: ['admin'] }));
      await t.http.get('/api/v1/users').set(bearer(forged)).expect(401);
    });

    it('health, login and JWKS stay public', async () => {
      await t.http.get('/api/v1/health').expect(200);
      await t.http.get('/.well-known/jwks.json').expect(200);
    });
  });

  describe('roles', () => {
    it('a viewer gets 403 on admin routes, with the role named', async () => {
      const { token } = await t.createUser('vera', Role.Viewer);
      const res = await t.http.get('/api/v1/users').set(bearer(token)).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(res.body.error.message).toMatch(/admin/);
      await t.http.get('/api/v1/auth/me').set(bearer(token)).expect(200);
    });

    it('an operator gets 403 on admin routes too', async () => {
      const { token } = await t.createUser('otto', Role.Operator);
      await t.http.post('/api/v1/users').set(bearer(token)).send({ username: 'x-user', password: 'password-1', role: 'viewer' }).expect(403);
    });
  });

  describe('token revocation by account changes', () => {
    it('a disabled user cannot log in and their token stops working', async () => {
      const { id, token } = await t.createUser('dora', Role.Operator);
      await t.http.patch(`/api/v1/users/${id}`).set(bearer(adminToken)).send({ disabled: true }).expect(200);
      await t.http.get('/api/v1/auth/me').set(bearer(token)).expect(401);
      await t.http.post('/api/v1/auth/login').send({ username: 'dora', password: 'dora-password' }).expect(401);
    });

    it('a deleted user token stops working', async () => {
      const { id, token } = await t.createUser('gone', Role.Viewer);
      await t.http.delete(`/api/v1/users/${id}`).set(bearer(adminToken)).expect(204);
      await t.http.get('/api/v1/auth/me').set(bearer(token)).expect(401);
    });

    it('a password change revokes tokens issued before it', async () => {
      const { id, token } = await t.createUser('pat', Role.Viewer);
      await new Promise((r) => setTimeout(r, 1100)); // token iat has 1 s resolution
      await t.http.patch(`/api/v1/users/${id}`).set(bearer(adminToken)).send({ password: 'a-new-password' }).expect(200);
      await t.http.get('/api/v1/auth/me').set(bearer(token)).expect(401);
      const fresh = await t.login('pat', 'a-new-password');
      await t.http.get('/api/v1/auth/me').set(bearer(fresh)).expect(200);
    });
  });

  it('no auth failure answers 500 or logs at error level', () => {
    expect(t.logs.errors()).toEqual([]);
    expect(t.logs.lines.some((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 500)).toBe(false);
  });
});

describe('auth: an external OIDC issuer (e.g. a Keycloak realm) works by configuration alone', () => {
  const idpKey = otherKey();
  const kid = 'idp-key-1';
  let server: Server;
  let issuer: string;
  let t: TestApp;
  let jwksHits = 0;

  beforeAll(async () => {
    const jwk = { ...createPublicKey(idpKey).export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
    server = createServer((req, res) => {
      if (req.url === '/realms/praxis/protocol/openid-connect/certs') {
        jwksHits++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer = `${base}/realms/praxis`;
    t = await createTestApp({
      AUTH_OIDC_ISSUER: issuer,
      AUTH_OIDC_JWKS_URI: `${issuer}/protocol/openid-connect/certs`,
      AUTH_OIDC_AUDIENCE: 'praxis-api',
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => server.close(r));
  });

  const keycloakToken = (roles: string[], opts: Partial<jwt.SignOptions> = {}) =>
    sign({ preferred_username: 'kc-user', realm_access: { roles: ['offline_access', ...roles] } }, idpKey, {
      keyid: kid,
      issuer,
      audience: ['praxis-api', 'account'],
      subject: 'f3b1c2d4-kc-subject',
      expiresIn: 300,
      ...opts,
    });

  it('accepts the IdP token, reading username and realm roles from its claims', async () => {
    const res = await t.http.get('/api/v1/auth/me').set(bearer(keycloakToken(['operator']))).expect(200);
    expect(res.body).toMatchObject({ subject: 'f3b1c2d4-kc-subject', username: 'kc-user', roles: ['operator'], issuer });
    expect(jwksHits).toBeGreaterThan(0);
  });

  it('enforces roles from the IdP token', async () => {
    await t.http.get('/api/v1/users').set(bearer(keycloakToken(['viewer']))).expect(403);
    await t.http.get('/api/v1/users').set(bearer(keycloakToken(['admin']))).expect(200);
  });

  it('rejects IdP tokens for another audience, or signed by another key', async () => {
    await t.http.get('/api/v1/auth/me').set(bearer(keycloakToken(['admin'], { audience: 'account' }))).expect(401);
    const forged = sign({ realm_access: { roles: ['admin'] } }, otherKey(), { keyid: kid, issuer, audience: 'praxis-api', subject: 'x', expiresIn: 300 });
    await t.http.get('/api/v1/auth/me').set(bearer(forged)).expect(401);
  });

  it('still accepts the built-in issuer alongside', async () => {
    const token = await t.login();
    await t.http.get('/api/v1/auth/me').set(bearer(token)).expect(200);
  });
});
