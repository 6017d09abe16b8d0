import { describe, expect, it } from '@jest/globals';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('salts: the same password hashes differently, and both verify', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
  });

  it('rejects wrong passwords and malformed hashes', async () => {
    const h = await hashPassword('correct horse');
    expect(await verifyPassword('Correct horse', h)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain-text')).toBe(false);
    expect(await verifyPassword('correct horse', h.replace(/\$[^$]+$/, '$AAAA'))).toBe(false);
  });

  it('generates long random passwords', () => {
    const p = generatePassword();
    expect(p.length).toBeGreaterThanOrEqual(20);
    expect(generatePassword()).not.toBe(p);
  });
});
