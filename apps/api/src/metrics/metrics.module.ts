import { Module } from '@nestjs/common';
import { ExecutionModule } from '@praxis/execution';
import { MetricsController } from './metrics.controller.js';

@Module({ imports: [ExecutionModule], controllers: [MetricsController] })
export class MetricsModule {}
