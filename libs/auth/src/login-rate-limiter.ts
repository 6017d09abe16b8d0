import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { RedisService } from '@praxis/redis';

/** What a failure counter counts, from the narrowest to the widest. */
type Scope = 'account-address' | 'address' | 'account';
const SCOPES: readonly Scope[] = ['account-address', 'address', 'account'];

const MESSAGES: Record<Scope, string> = {
  'account-address': 'Too many failed logins for this account from this address',
  address: 'Too many failed logins from this address',
  account: 'Too many failed logins for this account',
};

/**
 * Checks every counter and, when none is at its limit, counts this attempt as a failure in all of
 * them, in one step: concurrent attempts (on any api instance) cannot all slip under the limit.
 * Returns 0, or the 1-based index of the counter at its limit followed by its remaining TTL.
 */
const RESERVE = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
    return { i, redis.call('TTL', KEYS[i]) }
  end
end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[#KEYS + 1], 'NX')
end
return { 0, 0 }
`;

/**
 * Takes back a reserved failure after a successful login: the (account, address) counter is cleared,
 * the wider ones lose this attempt only (failures of others stay counted). A counter whose window
 * already ended is left alone rather than recreated without an expiry.
 */
const RELEASE = `
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
`;

/**
 * Failed-login counters in Redis, so the limits hold across any number of api instances: per
 * (username, client address), per client address (one address trying many usernames) and per
 * username (many addresses trying one). When one of them reaches its limit within the window,
 * further attempts answer 429 with Retry-After until that counter's window passes; a success
 * clears its (username, address) counter.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private keysFor(username: string, address: string): string[] {
    // Hashed so that neither usernames nor addresses sit in Redis in clear text.
    const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);
    const user = username.toLowerCase();
    return [
      this.redis.key('login-failures', digest(`${user}\n${address}`)),
      this.redis.key('login-failures', 'address', digest(address)),
      this.redis.key('login-failures', 'account', digest(user)),
    ];
  }

  /**
   * Counts this attempt as a failure before the password is checked (so that concurrent guesses
   * are limited too), or throws 429 when a limit is reached. Call `succeeded` when it was right.
   */
  async reserve(username: string, address: string): Promise<void> {
    const { loginMaxFailures, loginMaxFailuresPerAddress, loginMaxFailuresPerAccount, loginWindowSeconds } = this.config.auth;
    const keys = this.keysFor(username, address);
    const [blocked, ttl] = (await this.guard(
      this.redis.client.eval(RESERVE, keys.length, ...keys, loginMaxFailures, loginMaxFailuresPerAddress, loginMaxFailuresPerAccount, loginWindowSeconds),
    )) as [number, number];
    if (blocked === 0) return;
    const scope = SCOPES[blocked - 1];
    const retryAfter = Math.max(ttl, 1);
    throw new AppException(
      ErrorCode.TOO_MANY_REQUESTS,
      `${MESSAGES[scope]}; try again in ${retryAfter} s`,
      { retryAfterSeconds: retryAfter, scope },
      { 'Retry-After': String(retryAfter) },
    );
  }

  async succeeded(username: string, address: string): Promise<void> {
    const keys = this.keysFor(username, address);
    await this.guard(this.redis.client.eval(RELEASE, keys.length, ...keys));
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch {
      throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, 'Login is unavailable: Redis is not reachable');
    }
  }
}
