import { Module } from '@nestjs/common';
import { ExecutionModule } from '@praxis/execution';
import { HealthModule } from '../health/health.module.js';
import { SystemController } from './system.controller.js';

@Module({ imports: [ExecutionModule, HealthModule], controllers: [SystemController] })
export class SystemModule {}
