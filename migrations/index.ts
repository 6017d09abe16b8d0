// The migrations, in order. Kept up to date by `npm run migration:generate`.
import { Initial1795321638694 } from './1795321638694-Initial.js';
import { Assets1795324293199 } from './1795324293199-Assets.js';

export const MIGRATIONS: Function[] = [Initial1795321638694, Assets1795324293199];
