import { Injectable, Logger } from '@nestjs/common';
import { AppException, ErrorCode } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { TokenService, type IssuedToken } from './token.service.js';
import { DUMMY_HASH_PROMISE, verifyPassword } from './users/password.js';
import { UsersService } from './users/users.service.js';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly limiter: LoginRateLimiter,
  ) {}

  async login(username: string, password: string, address: string): Promise<IssuedToken> {
    if (!this.config.auth.localLogin) {
      throw new AppException(ErrorCode.FORBIDDEN, 'Local login is disabled; obtain a token from the configured OIDC issuer');
    }
    await this.limiter.reserve(username, address);
    const user = await this.users.findByUsername(username);
    // Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await DUMMY_HASH_PROMISE), false);
    if (!user || !ok || user.disabled) {
      this.logger.log({ username, address }, 'Login failed');
      throw new AppException(ErrorCode.INVALID_CREDENTIALS, 'Invalid username or password');
    }
    await this.limiter.succeeded(username, address);
    await this.users.touchLogin(user);
    return this.tokens.issue(user);
  }
}
