import { describe, expect, it } from '@jest/globals';
import { highestRole, isRole, Role, satisfies } from './roles.js';

describe('roles', () => {
  it('rank admin > operator > viewer', () => {
    expect(satisfies([Role.Admin], Role.Operator)).toBe(true);
    expect(satisfies([Role.Operator], Role.Viewer)).toBe(true);
    expect(satisfies([Role.Operator], Role.Admin)).toBe(false);
    expect(satisfies([Role.Viewer], Role.Operator)).toBe(false);
    expect(satisfies([], Role.Viewer)).toBe(false);
  });

  it('picks the highest and recognises only known roles', () => {
    expect(highestRole([Role.Viewer, Role.Admin, Role.Operator])).toBe(Role.Admin);
    expect(highestRole([])).toBeUndefined();
    expect(isRole('operator')).toBe(true);
    expect(isRole('offline_access')).toBe(false);
  });
});
