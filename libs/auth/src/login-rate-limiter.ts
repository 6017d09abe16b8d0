import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { RedisService } from '@praxis/redis';

/**
 * Failed-login counter per (username, client address) in Redis, so the limit holds across any
 * number of api instances. After AUTH_LOGIN_MAX_FAILURES failures within the window, further
 * attempts answer 429 with Retry-After until the window passes; a success clears the count.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private keyFor(username: string, address: string): string {
    const digest = createHash('sha256').update(`${username.toLowerCase()}\n${address}`).digest('hex').slice(0, 32);
    return this.redis.key('login-failures', digest);
  }

  async assertAllowed(username: string, address: string): Promise<void> {
    const key = this.keyFor(username, address);
    const [count, ttl] = await this.guard(Promise.all([this.redis.client.get(key), this.redis.client.ttl(key)]));
    if (Number(count ?? 0) >= this.config.auth.loginMaxFailures) {
      const retryAfter = Math.max(ttl, 1);
      throw new AppException(
        ErrorCode.TOO_MANY_REQUESTS,
        `Too many failed logins for this account from this address; try again in ${retryAfter} s`,
        { retryAfterSeconds: retryAfter },
        { 'Retry-After': String(retryAfter) },
      );
    }
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const key = this.keyFor(username, address);
    await this.guard(
      this.redis.client.multi().incr(key).expire(key, this.config.auth.loginWindowSeconds, 'NX').exec(),
    );
  }

  async reset(username: string, address: string): Promise<void> {
    await this.guard(this.redis.client.del(this.keyFor(username, address)));
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch {
      throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, 'Login is unavailable: Redis is not reachable');
    }
  }
}
