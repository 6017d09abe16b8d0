import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from './decorators.js';
import { JwksDto } from './dto/auth.dto.js';
import { SigningKeyService } from './keys/signing-key.service.js';

@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeyService) {}

  /** The built-in issuer's public keys (JWKS), for anyone verifying Praxis tokens. */
  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  getJwks(): JwksDto {
    return this.keys.jwks();
  }
}
