import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException, ErrorCode } from '@praxis/common';
import { IS_PUBLIC, REQUIRED_ROLE } from '../decorators.js';
import { highestRole, satisfies, type AuthPrincipal, type Role } from '../roles.js';

/** Global guard after authentication: enforces @Roles(minimum role). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (!required) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (user && satisfies(user.roles, required)) return true;
    const held = user ? (highestRole(user.roles) ?? 'no role') : 'no role';
    throw new AppException(ErrorCode.FORBIDDEN, `This action needs the ${required} role; you have ${held}`, { requiredRole: required });
  }
}
