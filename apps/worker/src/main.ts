import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { installLifecycle, processLog } from '@praxis/common';
import { loadConfigOrExit } from '@praxis/config';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  installLifecycle('praxis-worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGTERM/SIGINT: processors finish or give back their jobs, connections close, then exit.
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((err: unknown) => {
  processLog('praxis-worker').fatal({ err }, `failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
