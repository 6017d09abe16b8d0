import { describe, expect, it } from '@jest/globals';
import { isTimeZone, nextFireAt, scheduleTimingErrors } from './cron.js';

const fields = (cron: string, tz = 'UTC') => scheduleTimingErrors(cron, tz).map((e) => e.field);

describe('schedule timing', () => {
  it('accepts 5 fields, 6 with seconds first, and macros', () => {
    for (const cron of ['0 9 * * 1-5', '*/15 * * * *', '* * * * * *', '30 0 9 * * MON-FRI', '@daily', '0 0 L * *']) expect(fields(cron)).toEqual([]);
  });

  it('names cron for anything else, including what cron-parser alone would let through', () => {
    for (const cron of ['', ' 0 9 * * *', '* * *', 'often', '61 * * * *', '* * * * * * *', '0 0 31 4 *', '0 9 * *  *x']) expect(fields(cron)).toEqual(['cron']);
  });

  it('names timezone for a zone that is not an IANA name, and both when both are wrong', () => {
    expect(fields('0 9 * * *', 'Europe/Paris')).toEqual([]);
    expect(fields('0 9 * * *', 'Etc/GMT+5')).toEqual([]);
    for (const tz of ['', 'Mars/Olympus', '+01:00', 'UTC+1', 'Europe/Paris ']) expect(fields('0 9 * * *', tz)).toEqual(['timezone']);
    expect(fields('nope', 'Nowhere/Else').sort()).toEqual(['cron', 'timezone']);
    expect(isTimeZone('America/New_York')).toBe(true);
  });

  it('computes the next fire in the time zone, across a DST change', () => {
    const after = new Date('2026-03-07T12:00:00Z'); // New York moves to EDT on 2026-03-08
    expect(nextFireAt('0 9 * * *', 'America/New_York', after)!.toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(nextFireAt('0 9 * * *', 'America/New_York', new Date('2026-03-07T15:00:00Z'))!.toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(nextFireAt('0 9 * * *', 'Asia/Tokyo', after)!.toISOString()).toBe('2026-03-08T00:00:00.000Z');
    expect(nextFireAt('*/10 * * * * *', 'UTC', new Date('2026-03-07T12:00:01Z'))!.toISOString()).toBe('2026-03-07T12:00:10.000Z');
  });
});
