/** A chiller-trip alarm event and the message announcing it: the notifier tests' common sample. */
import type { AlarmEvent } from '../../src/alarms/types.js';
import type { OutgoingMessage } from '../../src/notify/types.js';

/** 2025-01-15 03:12 UTC. */
export const T0 = Date.UTC(2025, 0, 15, 3, 12, 0);

export const chillerTripEvent = (overrides: Partial<AlarmEvent> = {}): AlarmEvent => ({
  seq: 41,
  alarmId: 'trip@ch1',
  rule: 'trip',
  kind: 'activated',
  from: 'normal',
  to: 'active-unacknowledged',
  ts: T0,
  priority: 'critical',
  message: 'Chiller 1 tripped',
  value: true,
  limit: null,
  notify: true,
  site: 'north-campus',
  building: 'Energy centre',
  room: 'Chiller plant',
  device: 'ch1',
  deviceName: 'Chiller 1',
  equipment: 'chiller',
  ...overrides,
});

export const chillerTripMessage = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  kind: 'alarm',
  priority: 'critical',
  subject: '[CRITICAL] Chiller 1 tripped — Chiller plant, Energy centre',
  text: 'Chiller 1 tripped at 03:12.\nChilled water supply 11.4 °C (limit 9 °C).',
  events: [chillerTripEvent()],
  audience: 'electricians',
  ts: T0,
  ...overrides,
});
