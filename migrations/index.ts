// The migrations, in order. Kept up to date by `npm run migration:generate`.
import { Initial1795321638694 } from './1795321638694-Initial.js';

export const MIGRATIONS: Function[] = [Initial1795321638694];
