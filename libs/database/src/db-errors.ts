import { AppException, ErrorCode } from '@praxis/common';
import { QueryFailedError } from 'typeorm';

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
/** ON DELETE RESTRICT reports this instead of 23503. */
export const PG_RESTRICT_VIOLATION = '23001';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
}

export function pgError(err: unknown): PgError | undefined {
  return err instanceof QueryFailedError ? (err.driverError as PgError) : undefined;
}

/**
 * Turns database constraint violations into the API's errors: a unique violation is a 409
 * ALREADY_EXISTS naming `field`; a foreign-key violation on delete or update is a 409 CONFLICT
 * naming what still refers to the row. Anything else is re-thrown.
 */
export function rethrowDbConflict(err: unknown, what: string, field = 'name'): never {
  const pg = pgError(err);
  if (pg?.code === PG_UNIQUE_VIOLATION) {
    throw new AppException(ErrorCode.ALREADY_EXISTS, `${what} already exists`, { field, constraint: pg.constraint });
  }
  if (pg?.code === PG_FOREIGN_KEY_VIOLATION || pg?.code === PG_RESTRICT_VIOLATION) {
    const referrer = pg.detail?.match(/referenced from table "(\w+)"/)?.[1];
    throw AppException.conflict(
      referrer ? `${what} is still referenced by ${referrer}` : `${what} refers to a record that does not exist`,
      { constraint: pg.constraint, table: referrer ?? pg.table },
    );
  }
  throw err;
}
