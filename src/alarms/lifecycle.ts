/**
 * The ISA-18.2 alarm state machine, as plain functions over one alarm's record:
 *
 *   normal ──condition──▶ active-unacknowledged ──ack──▶ active-acknowledged ──clears──▶ normal
 *                              │ clears                                   ▲
 *                              ▼                                          │
 *                       returned-unacknowledged ──ack──▶ normal   (comes back: active-unack)
 *
 * Shelved (for a limited time, with a reason) and out of service (until returned) sit beside
 * it: the condition is still followed, nothing is announced, and on the way back the alarm
 * goes to normal and, if its condition is on, activates again as a new alarm.
 */
import type { AlarmEventKind, AlarmState } from './types.js';

export interface AlarmRecord {
  state: AlarmState;
  /** The alarm condition after delays: what the plant is doing, whatever the state. */
  conditionActive: boolean;
  since: number;
  activeSince: number | null;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  shelvedBy?: string;
  shelvedUntil?: number;
  reason?: string;
}

export interface Transition {
  kind: AlarmEventKind;
  from: AlarmState;
  to: AlarmState;
  user?: string;
  comment?: string;
}

/** An operator action that does not apply to the alarm's state: a 409 for the API. */
export class LifecycleError extends Error {}

export const newRecord = (now: number): AlarmRecord => ({
  state: 'normal',
  conditionActive: false,
  since: now,
  activeSince: null,
});

function move(
  record: AlarmRecord,
  to: AlarmState,
  kind: AlarmEventKind,
  now: number,
  who?: { user?: string; comment?: string },
): Transition {
  const from = record.state;
  record.state = to;
  record.since = now;
  return {
    kind,
    from,
    to,
    ...(who?.user ? { user: who.user } : {}),
    ...(who?.comment ? { comment: who.comment } : {}),
  };
}

function activate(record: AlarmRecord, now: number): Transition {
  record.activeSince = now;
  delete record.acknowledgedBy;
  delete record.acknowledgedAt;
  return move(record, 'active-unacknowledged', 'activated', now);
}

/** The (delayed) condition changed. */
export function conditionChanged(record: AlarmRecord, active: boolean, now: number): Transition[] {
  if (record.conditionActive === active) return [];
  record.conditionActive = active;
  switch (record.state) {
    case 'normal':
    case 'returned-unacknowledged':
      return active ? [activate(record, now)] : [];
    case 'active-unacknowledged':
      return active ? [] : [move(record, 'returned-unacknowledged', 'returned', now)];
    case 'active-acknowledged':
      if (active) return [];
      record.activeSince = null;
      return [move(record, 'normal', 'cleared', now)];
    default:
      // Shelved or out of service: followed silently.
      return [];
  }
}

export function acknowledge(
  record: AlarmRecord,
  user: string,
  comment: string | undefined,
  now: number,
): Transition[] {
  // Checked first: a second acknowledgement (a double click) must not erase the first one's name.
  if (record.state !== 'active-unacknowledged' && record.state !== 'returned-unacknowledged')
    throw new LifecycleError(`nothing to acknowledge: the alarm is ${record.state}`);
  const who = { user, comment };
  record.acknowledgedBy = user;
  record.acknowledgedAt = now;
  if (record.state === 'active-unacknowledged')
    return [move(record, 'active-acknowledged', 'acknowledged', now, who)];
  record.activeSince = null;
  return [move(record, 'normal', 'acknowledged', now, who)];
}

export function shelve(
  record: AlarmRecord,
  user: string,
  reason: string,
  until: number,
  now: number,
): Transition[] {
  if (record.state === 'out-of-service')
    throw new LifecycleError('the alarm is out of service: return it to service before shelving it');
  record.shelvedBy = user;
  record.shelvedUntil = until;
  record.reason = reason;
  return [move(record, 'shelved', 'shelved', now, { user, comment: reason })];
}

/** Back from shelved or out of service: to normal, then activated again if the condition is on. */
function reinstate(
  record: AlarmRecord,
  kind: 'unshelved' | 'returned-to-service',
  now: number,
  who: { user?: string; comment?: string },
): Transition[] {
  delete record.shelvedBy;
  delete record.shelvedUntil;
  delete record.reason;
  record.activeSince = null;
  const back = move(record, 'normal', kind, now, who);
  return record.conditionActive ? [back, activate(record, now)] : [back];
}

export function unshelve(
  record: AlarmRecord,
  who: { user?: string; comment?: string },
  now: number,
): Transition[] {
  if (record.state !== 'shelved')
    throw new LifecycleError(`the alarm is not shelved (it is ${record.state})`);
  return reinstate(record, 'unshelved', now, who);
}

export function removeFromService(
  record: AlarmRecord,
  user: string,
  reason: string,
  now: number,
): Transition[] {
  if (record.state === 'out-of-service') throw new LifecycleError('the alarm is already out of service');
  delete record.shelvedBy;
  delete record.shelvedUntil;
  record.reason = reason;
  return [move(record, 'out-of-service', 'removed-from-service', now, { user, comment: reason })];
}

export function returnToService(
  record: AlarmRecord,
  user: string,
  comment: string | undefined,
  now: number,
): Transition[] {
  if (record.state !== 'out-of-service')
    throw new LifecycleError(`the alarm is not out of service (it is ${record.state})`);
  return reinstate(record, 'returned-to-service', now, { user, comment });
}
