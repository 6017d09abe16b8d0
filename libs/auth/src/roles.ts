/** Roles, from least to most privileged. A role includes every role below it. */
export enum Role {
  Viewer = 'viewer',
  Operator = 'operator',
  Admin = 'admin',
}

export const ROLES: readonly Role[] = [Role.Viewer, Role.Operator, Role.Admin];

const RANK: Record<Role, number> = { [Role.Viewer]: 1, [Role.Operator]: 2, [Role.Admin]: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether someone holding `held` may act where `required` is needed. */
export function satisfies(held: readonly Role[], required: Role): boolean {
  return held.some((r) => RANK[r] >= RANK[required]);
}

/** The most privileged of a set of roles (undefined for none). */
export function highestRole(roles: readonly Role[]): Role | undefined {
  return [...roles].sort((a, b) => RANK[b] - RANK[a])[0];
}

/** Who is calling, as established from a verified token. */
export interface AuthPrincipal {
  /** Token subject: the local user id for built-in tokens, the IdP's subject otherwise. */
  subject: string;
  username: string;
  roles: Role[];
  issuer: string;
  /** Set when the principal is a local Praxis user. */
  userId?: string;
  tokenId?: string;
}
