// The migrations, in order. Kept up to date by `npm run migration:generate`.
import { Initial1795321638694 } from './1795321638694-Initial.js';
import { Assets1795324293199 } from './1795324293199-Assets.js';
import { NamesWithoutWorkcell1795326044045 } from './1795326044045-NamesWithoutWorkcell.js';
import { Protocols1795330015515 } from './1795330015515-Protocols.js';
import { Runs1795330543714 } from './1795330543714-Runs.js';
import { RunExecution1795331581267 } from './1795331581267-RunExecution.js';
import { Schedules1795333426310 } from './1795333426310-Schedules.js';
import { NotificationsAndAudit1795338233248 } from './1795338233248-NotificationsAndAudit.js';
import { RunEvents1795338318082 } from './1795338318082-RunEvents.js';
import { RunTraceAndEventBatch1795347988537 } from './1795347988537-RunTraceAndEventBatch.js';

export const MIGRATIONS: Function[] = [Initial1795321638694, Assets1795324293199, NamesWithoutWorkcell1795326044045, Protocols1795330015515, Runs1795330543714, RunExecution1795331581267, Schedules1795333426310, NotificationsAndAudit1795338233248, RunEvents1795338318082, RunTraceAndEventBatch1795347988537];
