import { describe, expect, it } from '@jest/globals';
import { REDACTED, summarizeBody } from './audit-summary.js';

describe('audit body summary', () => {
  it('never keeps a secret, however it is nested or spelled', () => {
    const s = summarizeBody({
      username: 'ada',
      password: 'hunter2-hunter2',
      profile: { newPassword: 'x'.repeat(12), apiKey: 'k', clientSecret: 's', accessToken: 't', note: 'fine' },
      list: [{ privateKey: '-----BEGIN' }],
    });
    const text = JSON.stringify(s);
    for (const secret of ['hunter2', 'xxxxxxxxxxxx', '"k"', '"s"', '"t"', 'BEGIN']) expect(text).not.toContain(secret);
    expect(s).toMatchObject({ username: 'ada', password: REDACTED, profile: { newPassword: REDACTED, note: 'fine' }, list: [{ privateKey: REDACTED }] });
  });

  it('strips credentials from URLs (a git source with a token in it)', () => {
    expect(summarizeBody({ kind: 'git', url: 'https://bot:ghp_abc123@github.com/lab/protocols.git' })).toEqual({
      kind: 'git',
      url: 'https://***@github.com/lab/protocols.git',
    });
  });

  it('keeps what was asked: actions, run parameters, answers', () => {
    expect(summarizeBody({ action: 'cancel', reason: 'wrong plate' })).toEqual({ action: 'cancel', reason: 'wrong plate' });
    expect(summarizeBody({ protocolId: 'p', parameters: { steps: 4, volume: 10.5, dryRun: false } })).toEqual({ protocolId: 'p', parameters: { steps: 4, volume: 10.5, dryRun: false } });
  });

  it('bounds strings, depth and size', () => {
    const s = summarizeBody({ long: 'a'.repeat(5000), deep: { a: { b: { c: { d: 1 } } } } })!;
    expect((s.long as string).length).toBeLessThanOrEqual(201);
    expect(s.deep).toEqual({ a: { b: '{…}' } });
    const huge = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v'.repeat(199)]));
    expect(summarizeBody(huge)).toEqual({ fields: Object.keys(huge), truncated: true });
  });

  it('answers null for no body', () => {
    expect(summarizeBody(undefined)).toBeNull();
    expect(summarizeBody({})).toBeNull();
    expect(summarizeBody('text')).toBeNull();
  });
});
