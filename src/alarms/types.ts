/**
 * The alarm model, after ISA-18.2 / IEC 62682: an alarm is one rule applied to one device
 * (or one set of points), with a priority and a lifecycle state; every transition is an
 * event that the journal keeps, the dashboard shows and the notifier may send.
 */

import type { AlarmEventKind, AlarmState, NotifyOn, Priority } from '../vocabulary/alarms.js';

// The lists live one layer down (src/vocabulary) so that configuration can validate them
// without importing the alarm system; re-exported here, where the alarm model is read.
export {
  ALARM_STATES,
  type AlarmEventKind,
  type AlarmState,
  EVENT_KINDS,
  NOTIFY_ON,
  type NotifyOn,
  PRIORITIES,
  type Priority,
  priorityRank,
} from '../vocabulary/alarms.js';

/** Where an alarm sits in the plant, for routing, filters and messages. */
export interface AlarmPlace {
  site: string;
  building: string;
  room: string;
  /** Display names of the building and room, for messages ("Inpatient building", "Distribution room 1"). */
  buildingName?: string;
  roomName?: string;
  /** The same names in Chinese, when configured (config/README.md). */
  buildingNameZh?: string;
  roomNameZh?: string;
  /** The device the rule was applied to; absent for a rule over points of several devices. */
  device?: string;
  deviceName?: string;
  deviceNameZh?: string;
  /** Equipment class of the device's profile (chiller, pump, power-meter...): routes notifications. */
  equipment: string;
}

/** One alarm as configured: a rule applied to a device or a fixed set of points. */
export interface AlarmDefinition extends AlarmPlace {
  /** "<rule>@<device>" for a rule applied per device, else the rule id. */
  id: string;
  rule: string;
  priority: Priority;
  /** The points the condition reads. */
  points: string[];
  notifyOn: NotifyOn[];
  /** One-line description of the condition, e.g. "chw_supply_temp > 9 °C for 10m". */
  condition: string;
  /** The condition in Chinese, with the point's Chinese label. */
  conditionZh?: string;
  /** Unit of the value and limit ("°C", "s" for a comm-loss); absent when they have none. */
  unit?: string;
}

/** The reading that raised an alarm: what its journal and its messages quote once it has returned. */
export interface RaisedBy {
  value: number | boolean | null;
  limit: number | null;
  /** Epoch ms of the activation. */
  ts: number;
}

export interface AlarmEvent extends AlarmPlace {
  /** Journal sequence number: increasing, unique. */
  seq: number;
  alarmId: string;
  rule: string;
  kind: AlarmEventKind;
  from: AlarmState;
  to: AlarmState;
  /** Epoch ms. */
  ts: number;
  priority: Priority;
  /** The rule's message, rendered with the values at the time of the event. */
  message: string;
  /** The same in Chinese (the rule's Chinese message, else its default words in Chinese). */
  messageZh?: string;
  value: number | boolean | null;
  limit: number | null;
  /**
   * What raised the alarm, on every event of an activation until the alarm is back to normal
   * (the activation itself included): `value` is then the reading at the time of the event.
   */
  raised?: RaisedBy;
  /** Unit of value and limit, when they have one. */
  unit?: string;
  /** Who acknowledged, shelved or took it out of service. */
  user?: string;
  comment?: string;
  /** Whether the rule asks for this event to be announced (false for a chattering alarm's repeats). */
  notify: boolean;
}

/** An alarm's current state, as the API and the dashboard show it. */
export interface AlarmStatus extends AlarmDefinition {
  state: AlarmState;
  /** Whether the condition is true now (a shelved alarm may be active underneath). */
  conditionActive: boolean;
  /** Epoch ms of the last transition into the current state. */
  since: number;
  /** When the alarm last became active, while it is (or its return is) unacknowledged or active. */
  activeSince: number | null;
  message: string;
  messageZh?: string;
  /** The reading now. */
  value: number | boolean | null;
  limit: number | null;
  /** What raised it, while it is active or returned and not yet acknowledged. */
  raised?: RaisedBy;
  /** Epoch ms it returned to normal, while that return is unacknowledged. */
  returnedAt?: number;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  /** Shelving: who, why, until when. */
  shelvedBy?: string;
  shelvedUntil?: number;
  reason?: string;
  chattering: boolean;
}

export type AlarmListener = (event: AlarmEvent) => void;
