import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorBody {
  /** Stable machine-readable code, e.g. VALIDATION_FAILED. */
  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code!: string;

  @ApiProperty({ example: 'Invalid input: username must be a string' })
  message!: string;

  @ApiPropertyOptional({ description: 'Structured details, e.g. { fields, errors } for validation failures.' })
  details?: unknown;

  /** Equals the X-Request-Id response header. */
  @ApiProperty()
  traceId!: string;
}

/** The one error envelope every failing request answers with. */
export class ErrorEnvelope {
  @ApiProperty({ type: ErrorBody })
  error!: ErrorBody;
}
