import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthPrincipal, Role } from './roles.js';

export const IS_PUBLIC = 'praxis:isPublic';
export const REQUIRED_ROLE = 'praxis:requiredRole';

/** Opts a route out of authentication (health, login, JWKS only). Everything else is denied by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The least role a route needs; roles are ranked (admin > operator > viewer), so
 * `@Roles(Role.Operator)` admits operators and admins. Without it, any authenticated user passes.
 */
export const Roles = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthPrincipal => {
  return ctx.switchToHttp().getRequest<{ user: AuthPrincipal }>().user;
});
