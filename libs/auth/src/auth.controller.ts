import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthService } from './auth.service.js';
import { CurrentUser, Public } from './decorators.js';
import { LoginDto, MeDto, TokenDto } from './dto/auth.dto.js';
import type { AuthPrincipal } from './roles.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchange a username and password for an access token. Rate-limited per account and address. */
  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Req() req: Request): Promise<TokenDto> {
    return this.auth.login(dto.username, dto.password, req.ip ?? req.socket.remoteAddress ?? 'unknown');
  }

  /** Who the bearer token belongs to, with their roles. */
  @ApiBearerAuth()
  @Get('me')
  getMe(@CurrentUser() user: AuthPrincipal): MeDto {
    return { subject: user.subject, username: user.username, roles: user.roles, issuer: user.issuer, userId: user.userId };
  }
}
