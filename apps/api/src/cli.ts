import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { generatePassword, UsersModule, UsersService } from '@praxis/auth';
import { AppConfig, ConfigModule, loadConfig, loadConfigOrExit } from '@praxis/config';
import { DatabaseModule } from '@praxis/database';
import { CatalogSyncService, DemoSeedService, DiscoveryModule } from '@praxis/discovery';
import { ProtocolSourcesService, ProtocolsModule } from '@praxis/protocols';
import { runMigrations } from '@praxis/database/migrate';
import { dataSourceOptions } from '@praxis/database/schema';
import { AppModule } from './app.module.js';
import { buildOpenApiDocument, configureApp } from './configure-app.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function migrate(config: AppConfig): Promise<void> {
  const applied = await runMigrations(config.database.url);
  out(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date');
}

/**
 * Idempotent seed: the admin account (created once; reset when PRAXIS_ADMIN_PASSWORD is given),
 * the catalogs from the hardware library, and the demo workcell when PRAXIS_DEMO is on.
 */
async function seed(config: AppConfig): Promise<void> {
  @Module({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot((c) => dataSourceOptions(c.database.url, 2)), UsersModule, DiscoveryModule, ProtocolsModule],
  })
  class SeedModule {}
  const ctx = await NestFactory.createApplicationContext(SeedModule, { logger: ['error', 'warn'] });
  try {
    const result = await ctx.get(UsersService).ensureAdmin(config.admin.username, config.admin.password, generatePassword);
    if (result.created && result.password) {
      out(`Created admin user "${config.admin.username}" with generated password: ${result.password}`);
      out('  (shown once; set PRAXIS_ADMIN_PASSWORD and restart to reset it)');
    } else if (result.created) {
      out(`Created admin user "${config.admin.username}" with the password from PRAXIS_ADMIN_PASSWORD`);
    } else if (config.admin.password) {
      out(`Admin user "${config.admin.username}" exists; its password was set from PRAXIS_ADMIN_PASSWORD`);
    } else {
      out(`Admin user "${config.admin.username}" exists`);
    }
    const sync = await ctx.get(CatalogSyncService).sync();
    const n = (c: { created: string[]; updated: string[] }) => c.created.length + c.updated.length;
    out(`Catalogs synced (${n(sync.resourceDefinitions)} labware, ${n(sync.machineDefinitions)} machine and ${n(sync.deckTypes)} deck definitions created or updated)`);
    if (config.demo && (await ctx.get(DemoSeedService).seed()).created) out('Seeded the demo workcell "demo" (simulated STARlet with tips and plates)');
    const examples = resolve(process.cwd(), 'examples/protocols');
    if (config.demo && existsSync(examples)) {
      const { report } = await ctx.get(ProtocolSourcesService).ensureFolderSource('examples', examples);
      const n = report.added.length + report.updated.length + report.unchanged.length;
      out(`Protocol source "examples" synced from ${examples}: ${n} protocols${report.errors.length ? `, ${report.errors.length} files with errors` : ''}`);
      for (const e of report.errors) out(`  ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
    }
  } finally {
    await ctx.close();
  }
}

/** The OpenAPI document, built from the controllers without connecting to anything. */
export async function openApiJson(): Promise<string> {
  const config = loadConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
    REDIS_URL: 'redis://127.0.0.1:1',
    AUTH_PRIVATE_KEY: 'unused',
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { preview: true, logger: false });
  configureApp(app, config, { logger: false });
  const doc = buildOpenApiDocument(app);
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

async function openapi(args: string[]): Promise<void> {
  const file = args.find((a) => !a.startsWith('--')) ?? 'openapi.json';
  const json = await openApiJson();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== json) {
      process.stderr.write(`${file} is stale: run \`npm run openapi\` and commit the result\n`);
      process.exit(1);
    }
    out(`${file} is up to date`);
    return;
  }
  writeFileSync(file, json);
  out(`Wrote ${file}`);
}

const USAGE = 'usage: cli.js <migrate | seed | setup | openapi [file] [--check]>';

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'migrate':
      return migrate(loadConfigOrExit());
    case 'seed':
      return seed(loadConfigOrExit());
    case 'setup': {
      const config = loadConfigOrExit();
      await migrate(config);
      return seed(config);
    }
    case 'openapi':
      return openapi(args);
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(64);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`praxis: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
