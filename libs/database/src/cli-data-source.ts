// The DataSource the TypeORM CLI uses (npm run migration:generate / migration:run).
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './schema.js';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('praxis: DATABASE_URL is not set (the migration scripts set it for the embedded database)\n');
  process.exit(78);
}
export default new DataSource(dataSourceOptions(url, 2));
