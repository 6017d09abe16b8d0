import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.module.js';
import { EnvironmentError, validateEnvironment } from './env.schema.js';

const base = { DATABASE_URL: 'postgres://u:p@db:5432/praxis', REDIS_URL: 'redis://cache:6379' };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    validateEnvironment(env);
  } catch (err) {
    if (err instanceof EnvironmentError) return err.problems;
    throw err;
  }
  return [];
}

describe('environment schema', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(3000);
    expect(c.dataDir).toMatch(/\.praxis$/);
    expect(c.auth).toMatchObject({ issuer: 'praxis', audience: 'praxis-api', tokenTtlSeconds: 3600, localLogin: true, oidc: undefined });
    expect(c.admin.username).toBe('admin');
    expect(c.mail.smtpUrl).toBeUndefined();
    expect(c.bodyLimit).toBe('1mb');
    expect(c.auth).toMatchObject({ loginMaxFailures: 5, loginMaxFailuresPerAddress: 50, loginMaxFailuresPerAccount: 20, loginWindowSeconds: 300 });
  });

  it('reads BODY_LIMIT as a body-parser size and refuses anything else', () => {
    expect(loadConfig({ ...base, BODY_LIMIT: '512KB' }).bodyLimit).toBe('512kb');
    expect(loadConfig({ ...base, BODY_LIMIT: '2097152' }).bodyLimit).toBe('2097152');
    expect(problems({ ...base, BODY_LIMIT: 'lots' })[0]).toMatch(/^BODY_LIMIT has an invalid value: .*1mb/);
    expect(problems({ ...base, AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: '0' })[0]).toMatch(/^AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS/);
  });

  it('names every missing required variable', () => {
    const p = problems({});
    expect(p.some((l) => l.startsWith('DATABASE_URL is not set'))).toBe(true);
    expect(p.some((l) => l.startsWith('REDIS_URL is not set'))).toBe(true);
  });

  it('names invalid values and says what is expected', () => {
    const p = problems({ ...base, PORT: '70000', LOG_LEVEL: 'loud', SMTP_URL: 'http://mail', AUTH_LOCAL_LOGIN: 'maybe' });
    expect(p.find((l) => l.startsWith('PORT'))).toMatch(/must not be greater than 65535/);
    expect(p.find((l) => l.startsWith('LOG_LEVEL'))).toBeDefined();
    expect(p.find((l) => l.startsWith('SMTP_URL'))).toMatch(/smtp:\/\//);
    expect(p.find((l) => l.startsWith('AUTH_LOCAL_LOGIN'))).toBeDefined();
    expect(p).toHaveLength(4);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ ...base, PORT: '', AUTH_OIDC_ISSUER: '' }).port).toBe(3000);
  });

  it('requires the JWKS URI and audience once an OIDC issuer is configured', () => {
    const p = problems({ ...base, AUTH_OIDC_ISSUER: 'https://kc.example/realms/praxis' });
    expect(p.map((l) => l.split(' ')[0]).sort()).toEqual(['AUTH_OIDC_AUDIENCE', 'AUTH_OIDC_JWKS_URI']);
    const ok = loadConfig({
      ...base,
      AUTH_OIDC_ISSUER: 'https://kc.example/realms/praxis',
      AUTH_OIDC_JWKS_URI: 'https://kc.example/realms/praxis/protocol/openid-connect/certs',
      AUTH_OIDC_AUDIENCE: 'praxis-api',
    });
    expect(ok.auth.oidc).toMatchObject({ rolesClaim: 'realm_access.roles', usernameClaim: 'preferred_username' });
  });

  it('mail: retry settings and the public URL for links, with defaults', () => {
    const c = loadConfig(base);
    expect(c.mail).toMatchObject({ from: 'praxis@localhost', maxAttempts: 6, retryBaseMs: 30000, retryMaxMs: 3600000 });
    expect(c.notifications.intervalMs).toBe(1000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ ...base, PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ ...base, PRAXIS_PUBLIC_URL: 'https://praxis.lab.example/' }).publicUrl).toBe('https://praxis.lab.example');
    const p = problems({ ...base, MAIL_MAX_ATTEMPTS: '0', MAIL_RETRY_BASE_MS: 'soon', PRAXIS_PUBLIC_URL: 'praxis.lab' });
    expect(p.map((l) => l.split(' ')[0]).sort()).toEqual(['MAIL_MAX_ATTEMPTS', 'MAIL_RETRY_BASE_MS', 'PRAXIS_PUBLIC_URL']);
  });

  it('refuses a short admin password', () => {
    expect(problems({ ...base, PRAXIS_ADMIN_PASSWORD: 'short' })[0]).toMatch(/PRAXIS_ADMIN_PASSWORD .* at least 8/);
  });
});
