import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { JwtStrategy } from './guards/jwt.strategy.js';
import { RolesGuard } from './guards/roles.guard.js';
import { JwksController } from './jwks.controller.js';
import { SigningKeyService } from './keys/signing-key.service.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { TokenService } from './token.service.js';
import { User } from './users/user.entity.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

/** Users, the built-in token issuer, and the global deny-by-default guards. */
@Module({
  imports: [TypeOrmModule.forFeature([User]), PassportModule],
  controllers: [AuthController, JwksController, UsersController],
  providers: [
    SigningKeyService,
    TokenService,
    UsersService,
    AuthService,
    LoginRateLimiter,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [UsersService, TokenService, SigningKeyService, JwtStrategy],
})
export class AuthModule {}

/** Just the user store, for contexts without HTTP (the CLI's seeding). */
@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
