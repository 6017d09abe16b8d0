import { Controller, Get } from '@nestjs/common';
import { ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@praxis/auth';
import { AppException, ErrorCode, ErrorEnvelope } from '@praxis/common';
import { HealthService } from './health.service.js';

class HealthChecksDto {
  @ApiProperty({ enum: ['ok', 'down'] })
  database!: 'ok' | 'down';
  @ApiProperty({ enum: ['ok', 'down'] })
  redis!: 'ok' | 'down';
  @ApiProperty({ enum: ['ok', 'down'] })
  queue!: 'ok' | 'down';
}

class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
  checks!: HealthChecksDto;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness and readiness: database, Redis and the job queue. 503 names what failed. */
  @Public()
  @Get()
  @ApiServiceUnavailableResponse({ type: ErrorEnvelope, description: 'A dependency is down; details.checks names it.' })
  async getHealth(): Promise<HealthDto> {
    const report = await this.health.check();
    if (report.status !== 'ok') {
      const failed = Object.entries(report.errors).map(([name, why]) => `${name} (${why})`);
      throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, `Unhealthy: ${failed.join(', ')}`, report);
    }
    return { status: 'ok', checks: report.checks };
  }
}
