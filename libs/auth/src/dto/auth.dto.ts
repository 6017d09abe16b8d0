import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { Role } from '../roles.js';

export class LoginDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export class TokenDto {
  /** RS256 JWT to send as `Authorization: Bearer <accessToken>`. */
  accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';
  /** Lifetime in seconds. */
  expiresIn!: number;
}

export class MeDto {
  /** Token subject (the user id for local users). */
  subject!: string;
  username!: string;
  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true })
  roles!: Role[];
  issuer!: string;
  /** Set for local Praxis users. */
  @ApiPropertyOptional()
  userId?: string;
}

export class JwkDto {
  kty!: string;
  kid!: string;
  use!: string;
  alg!: string;
  n!: string;
  e!: string;
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto] })
  keys!: JwkDto[];
}
