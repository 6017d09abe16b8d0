// Cron expressions and time zones, read exactly as BullMQ's job schedulers read them: BullMQ's own
// `getNextMillis` (cron-parser with the `tz` option) computes every next fire time shown here.
import type { FieldError } from '@praxis/common';
import { getNextMillis } from 'bullmq';

/** 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; or a macro such as `@daily`. */
const FIELDS = /^(\S+\s+){4,5}\S+$/;
const MACRO = /^@[a-z]+$/;
/** IANA names (`Europe/Paris`, `UTC`, `Etc/GMT+5`); no bare offsets. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export const CRON_HINT = 'a cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. "0 9 * * 1-5"';

/** Whether `tz` is an IANA time zone this runtime (Intl) supports. */
export function isTimeZone(tz: string): boolean {
  if (!ZONE_NAME.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The first fire time after `after`, or null when the expression never fires again. Throws on a bad expression. */
export function nextFireAt(cron: string, timezone: string, after: Date = new Date()): Date | null {
  const next = getNextMillis(after.getTime(), { pattern: cron, tz: timezone });
  return next === undefined || Number.isNaN(next) ? null : new Date(next);
}

/** What is wrong with a cron expression and time zone, as field errors (`cron`, `timezone`). */
export function scheduleTimingErrors(cron: string, timezone: string): FieldError[] {
  const errors: FieldError[] = [];
  const zoneOk = isTimeZone(timezone);
  if (!zoneOk) errors.push({ field: 'timezone', message: `timezone must be an IANA time zone such as "Europe/Paris" or "UTC"; not "${timezone}"` });
  const trimmed = cron.trim();
  if (trimmed !== cron || !(FIELDS.test(cron) || MACRO.test(cron))) {
    errors.push({ field: 'cron', message: `cron must be ${CRON_HINT}` });
    return errors;
  }
  try {
    if (!nextFireAt(cron, zoneOk ? timezone : 'UTC')) errors.push({ field: 'cron', message: `cron: "${cron}" never fires` });
  } catch (err) {
    errors.push({ field: 'cron', message: `cron: ${(err as Error).message} (${CRON_HINT})` });
  }
  return errors;
}
