/**
 * The words of the alarm model (ISA-18.2 / IEC 62682), below every module that speaks them:
 * configuration validates alarms.yaml, notify.yaml, energy.yaml and maintenance.yaml against
 * these lists without importing the alarm system, and the dashboard sorts by them in the
 * browser. Constants only: no Node import here (the dashboard bundles this file).
 */

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Most urgent first: critical = 0. */
export const priorityRank = (p: Priority): number => PRIORITIES.indexOf(p);

export const ALARM_STATES = [
  'normal',
  'active-unacknowledged',
  'active-acknowledged',
  'returned-unacknowledged',
  'shelved',
  'out-of-service',
] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** Which transitions are announced (notifications): chosen per rule. */
export const NOTIFY_ON = ['active', 'acknowledged', 'returned'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

export const EVENT_KINDS = [
  /** The condition became true (after its on-delay): normal/returned → active-unacknowledged. */
  'activated',
  /** Someone acknowledged it: active-unack → active-ack, or returned-unack → normal. */
  'acknowledged',
  /** The condition cleared (after its off-delay) before acknowledgement: → returned-unacknowledged. */
  'returned',
  /** The condition cleared after acknowledgement: active-acknowledged → normal. */
  'cleared',
  'shelved',
  /** Unshelved by a user or because the shelving time ran out. */
  'unshelved',
  'removed-from-service',
  'returned-to-service',
  /** The alarm activated too often in a short window (a nuisance to fix: deadband, delay). */
  'chattering',
  'chatter-ended',
] as const;
export type AlarmEventKind = (typeof EVENT_KINDS)[number];
