import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** Forges tokens the way an attacker or a misconfigured client would. */
export function otherKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

export function decodeToken(token: string): { header: jwt.JwtHeader; payload: jwt.JwtPayload } {
  const d = jwt.decode(token, { complete: true });
  if (!d || typeof d.payload === 'string') throw new Error('not a JWT');
  return { header: d.header, payload: d.payload };
}

export function sign(payload: object, key: KeyObject, opts: jwt.SignOptions): string {
  return jwt.sign(payload, key, { algorithm: 'RS256', ...opts });
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** An unsigned token (`alg: none`) carrying the given claims. */
export function unsigned(payload: object, kid?: string): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64(payload)}.`;
}

/** Re-encodes a token's payload keeping its signature (a tampered token). */
export function tamper(token: string, change: (p: jwt.JwtPayload) => jwt.JwtPayload): string {
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as jwt.JwtPayload;
  return `${h}.${b64(change(payload))}.${s}`;
}
