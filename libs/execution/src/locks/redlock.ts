/**
 * redlock 5.0.0-beta.2 ships its typings at dist/index.d.ts, but its package.json "exports" map
 * has no "types" condition, so under `moduleResolution: nodenext` a plain `import 'redlock'` is
 * untyped (TS7016). Take the types from the declaration file itself and give them to the real
 * ES module. When a later redlock fixes its exports, the @ts-expect-error below stops compiling:
 * then import it directly and delete this file.
 */
import type * as RedlockTypes from '../../../../node_modules/redlock/dist/index.js';
// @ts-expect-error TS7016: typed through RedlockTypes (see above)
import * as untyped from 'redlock';

const redlock = untyped as unknown as typeof RedlockTypes;

export const Redlock = redlock.default;
export type Redlock = RedlockTypes.default;
export const ExecutionError = redlock.ExecutionError;
export type ExecutionError = RedlockTypes.ExecutionError;
export const ResourceLockedError = redlock.ResourceLockedError;
export type ResourceLockedError = RedlockTypes.ResourceLockedError;
export type Lock = RedlockTypes.Lock;
export type RedlockSettings = RedlockTypes.Settings;
