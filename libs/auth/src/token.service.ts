import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import jwt from 'jsonwebtoken';
import { SigningKeyService } from './keys/signing-key.service.js';
import type { User } from './users/user.entity.js';

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Issues the built-in issuer's RS256 access tokens. */
@Injectable()
export class TokenService {
  constructor(
    private readonly config: AppConfig,
    private readonly keys: SigningKeyService,
  ) {}

  issue(user: User): IssuedToken {
    const expiresIn = this.config.auth.tokenTtlSeconds;
    const accessToken = jwt.sign({ username: user.username, roles: [user.role] }, this.keys.privateKey, {
      algorithm: 'RS256',
      keyid: this.keys.kid,
      issuer: this.config.auth.issuer,
      audience: this.config.auth.audience,
      subject: user.id,
      expiresIn,
      jwtid: randomUUID(),
    });
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }
}
