import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { EnvironmentError, validateEnvironment } from './env.schema.js';

/**
 * Reads and validates the environment once. An invalid environment stops the process with a
 * message naming every bad variable (no stack trace: it is the operator's input, not a bug).
 */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  return new AppConfig(validateEnvironment(raw));
}

export function loadConfigOrExit(raw: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return loadConfig(raw);
  } catch (err) {
    if (err instanceof EnvironmentError) {
      process.stderr.write(`praxis: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') {
      // The one file the environment names: AUTH_PRIVATE_KEY_FILE (missing, or not readable by this user).
      process.stderr.write(`praxis: Invalid environment: AUTH_PRIVATE_KEY_FILE cannot be read: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
