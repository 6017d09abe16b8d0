import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { installLifecycle, processLog } from '@praxis/common';
import { loadConfigOrExit } from '@praxis/config';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { configureApp } from './configure-app.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  installLifecycle('praxis-api');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
  configureApp(app, config);
  await app.listen(config.port, config.host);
  const url = await app.getUrl();
  app.get(Logger).log(`Praxis API listening on ${url.replace('[::1]', 'localhost')}/api/v1 (docs at /api/docs)`);
}

bootstrap().catch((err: unknown) => {
  processLog('praxis-api').fatal({ err }, `failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
