import { createPublicKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AppException, ErrorCode } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import jwksRsa, { type JwksClient } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { SigningKeyService } from '../keys/signing-key.service.js';
import { messageFor } from './jwt-auth.guard.js';
import { isRole, Role, type AuthPrincipal } from '../roles.js';
import { UsersService } from '../users/users.service.js';

interface TrustedIssuer {
  issuer: string;
  audience: string;
  jwks: JwksClient;
  rolesClaim: string;
  usernameClaim: string;
  /** Tokens of the built-in issuer name local users, re-checked on every request. */
  local: boolean;
}

interface JwtPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

function trustedIssuers(config: AppConfig, keys: SigningKeyService): Map<string, TrustedIssuer> {
  const map = new Map<string, TrustedIssuer>();
  // The built-in issuer is verified through the same JWKS machinery as an external one; its key
  // set is read in-process instead of over HTTP.
  map.set(config.auth.issuer, {
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    jwks: jwksRsa({ jwksUri: `internal:${config.auth.issuer}`, fetcher: async () => keys.jwks(), cache: true }),
    rolesClaim: 'roles',
    usernameClaim: 'username',
    local: true,
  });
  const oidc = config.auth.oidc;
  if (oidc) {
    map.set(oidc.issuer, {
      issuer: oidc.issuer,
      audience: oidc.audience,
      jwks: jwksRsa({ jwksUri: oidc.jwksUri, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5000 }),
      rolesClaim: oidc.rolesClaim,
      usernameClaim: oidc.usernameClaim,
      local: false,
    });
  }
  return map;
}

function claimAt(payload: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload);
}

const invalid = (message: string) => new AppException(ErrorCode.UNAUTHENTICATED, message);

/**
 * Verifies every bearer token against the JWKS of the issuer it names: the built-in issuer
 * always, plus an external OIDC issuer (e.g. a Keycloak realm) when configured. Only RS256;
 * issuer and audience must match as a pair.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly issuers: Map<string, TrustedIssuer>;

  constructor(
    config: AppConfig,
    keys: SigningKeyService,
    private readonly users: UsersService,
  ) {
    const issuers = trustedIssuers(config, keys);
    // Parsing a PEM into a key object costs more than the RS256 check itself: keep one per key
    // for 10 minutes (the JWKS cache age), so a key removed from the issuer's set stops working.
    const keyObjects = new Map<string, { key: KeyObject; until: number }>();
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256'],
      issuer: [...issuers.keys()],
      audience: [...new Set([...issuers.values()].map((i) => i.audience))],
      ignoreExpiration: false,
      secretOrKeyProvider: (_req: Request, rawJwt: string, done: (err: unknown, key?: string) => void) => {
        const decoded = jwt.decode(rawJwt, { complete: true });
        const iss = decoded && typeof decoded.payload === 'object' ? decoded.payload.iss : undefined;
        const trusted = iss ? issuers.get(iss) : undefined;
        if (!decoded || !trusted) return done(invalid('Token issuer is not trusted'));
        if (decoded.header.alg !== 'RS256') return done(invalid('Token algorithm must be RS256'));
        const cacheKey = `${trusted.issuer}\n${decoded.header.kid ?? ''}`;
        const cached = keyObjects.get(cacheKey);
        if (cached && cached.until > Date.now()) return done(null, cached.key as unknown as string);
        trusted.jwks
          .getSigningKey(decoded.header.kid)
          .then((key) => {
            const object = createPublicKey(key.getPublicKey());
            if (keyObjects.size > 100) keyObjects.clear();
            keyObjects.set(cacheKey, { key: object, until: Date.now() + 10 * 60_000 });
            done(null, object as unknown as string);
          })
          .catch(() => done(invalid('Token was not signed by a key of its issuer')));
      },
    });
    this.issuers = issuers;
  }

  /**
   * Verifies a raw token exactly as a REST request's bearer token (same issuers, keys, claims and
   * account checks), for transports that are not an HTTP request of their own: the Socket.IO
   * handshake. Rejects with a 401 AppException.
   */
  authenticateToken(token: string): Promise<AuthPrincipal> {
    return new Promise((resolve, reject) => {
      // A passport strategy reports through success/fail/error set on it per attempt: give this
      // attempt an object of its own that inherits everything else.
      const attempt = Object.create(this) as { authenticate(req: unknown): void; success(u: AuthPrincipal): void; fail(info: unknown): void; error(err: unknown): void };
      const refuse = (e: unknown) => reject(e instanceof AppException ? e : invalid(messageFor(e)));
      attempt.success = (user) => resolve(user);
      attempt.fail = refuse;
      attempt.error = refuse;
      attempt.authenticate({ headers: { authorization: `Bearer ${token}` } });
    });
  }

  async validate(payload: JwtPayload): Promise<AuthPrincipal> {
    const trusted = this.issuers.get(payload.iss);
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!trusted || !aud.includes(trusted.audience)) throw invalid('Token audience does not match its issuer');
    if (typeof payload.sub !== 'string' || !payload.sub) throw invalid('Token has no subject');

    if (trusted.local) {
      const user = await this.users.findById(payload.sub);
      if (!user || user.disabled) throw invalid('The account of this token is disabled or deleted');
      const changed = Math.floor(user.credentialsChangedAt.getTime() / 1000);
      if ((payload.iat ?? 0) < changed) throw invalid('Token was issued before the account credentials changed; log in again');
      return { subject: user.id, userId: user.id, username: user.username, roles: [user.role], issuer: trusted.issuer, tokenId: payload.jti };
    }
    const rawRoles = claimAt(payload, trusted.rolesClaim);
    const roles = (Array.isArray(rawRoles) ? rawRoles : []).filter(isRole) as Role[];
    const username = claimAt(payload, trusted.usernameClaim);
    return { subject: payload.sub, username: typeof username === 'string' ? username : payload.sub, roles, issuer: trusted.issuer, tokenId: payload.jti };
  }
}
