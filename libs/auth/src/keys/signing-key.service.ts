import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@praxis/config';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  kty: 'RSA';
  use: 'sig';
  alg: 'RS256';
  n: string;
  e: string;
}

/**
 * The built-in issuer's RS256 key: given by config (AUTH_PRIVATE_KEY / _FILE, e.g. shared by N
 * api replicas) or created on first start under `<data dir>/keys/` with mode 0600.
 * The key id is the RFC 7638 JWK thumbprint, so it is stable across restarts.
 */
@Injectable()
export class SigningKeyService {
  private readonly logger = new Logger(SigningKeyService.name);
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicJwk;

  constructor(config: AppConfig) {
    const pem = config.auth.privateKeyPem ?? this.loadOrCreate(join(config.dataDir, 'keys', 'jwt-private.pem'));
    this.privateKey = createPrivateKey(pem);
    if (this.privateKey.asymmetricKeyType !== 'rsa') throw new Error('AUTH_PRIVATE_KEY must be an RSA private key');
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' }) as { n: string; e: string };
    const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
    this.publicJwk = { kty: 'RSA', n: jwk.n, e: jwk.e, kid, use: 'sig', alg: 'RS256' };
  }

  get kid(): string {
    return this.publicJwk.kid;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [this.publicJwk] };
  }

  private loadOrCreate(path: string): string {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    // Write aside, then link into place: if another process created the key meanwhile, theirs wins.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, pem, { mode: 0o600 });
    try {
      linkSync(tmp, path);
      chmodSync(path, 0o600);
      this.logger.log(`Created a new token signing key at ${path}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    return readFileSync(path, 'utf8');
  }
}
