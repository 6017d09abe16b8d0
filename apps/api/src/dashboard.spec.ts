import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { findDashboardDir } from './dashboard.js';

describe('findDashboardDir', () => {
  const root = resolve('.');
  const folder = join(root, 'apps', 'api', 'dashboard');

  it('finds apps/api/dashboard from the sources and from the build', () => {
    expect(existsSync(join(folder, 'index.html'))).toBe(true);
    expect(findDashboardDir(join(root, 'apps', 'api', 'src'))).toBe(folder);
    expect(findDashboardDir(join(root, 'dist', 'apps', 'api', 'src'))).toBe(folder);
  });

  it('answers null where there is none', () => {
    expect(findDashboardDir('/')).toBeNull();
  });
});
