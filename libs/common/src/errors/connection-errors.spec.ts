import { describe, expect, it } from '@jest/globals';
import { isConnectionError, retryWhileUnreachable } from './connection-errors.js';

describe('isConnectionError', () => {
  it('knows a server that is gone, stopping or starting', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    // TypeORM's QueryFailedError keeps the driver's error; an AggregateError its parts.
    expect(isConnectionError({ message: 'query failed', driverError: { code: '08006', message: 'connection failure' } })).toBe(true);
    expect(isConnectionError(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'all failed'))).toBe(true);
  });

  it('does not take a bad query or a bad request for an outage', () => {
    expect(isConnectionError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isConnectionError({ message: 'syntax error', driverError: { code: '42601' } })).toBe(false);
    expect(isConnectionError(new Error('Run 1 is completed; it cannot become running'))).toBe(false);
    expect(isConnectionError(null)).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });
});

describe('retryWhileUnreachable', () => {
  const down = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('repeats while the dependency is unreachable, then answers', async () => {
    let calls = 0;
    const retries: number[] = [];
    const v = await retryWhileUnreachable(async () => {
      if (++calls < 3) throw down();
      return 'ok';
    }, { maxMs: 5000, initialDelayMs: 1, onRetry: (_e, n) => retries.push(n) });
    expect(v).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('throws any other error at once, and an outage once maxMs has passed', async () => {
    let calls = 0;
    await expect(retryWhileUnreachable(async () => {
      calls++;
      throw new Error('bad input');
    }, { maxMs: 5000 })).rejects.toThrow('bad input');
    expect(calls).toBe(1);
    await expect(retryWhileUnreachable(async () => {
      throw down();
    }, { maxMs: 20, initialDelayMs: 5 })).rejects.toThrow('ECONNREFUSED');
  });
});
