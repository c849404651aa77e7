import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/types.js';
import type { NotifySettings } from '../../src/config/notify-schema.js';
import { type Logger, silentLogger } from '../../src/log/index.js';
import { type DeliveryTarget, NotificationDispatcher } from '../../src/notify/dispatcher.js';
import { startNotifier } from '../../src/notify/index.js';
import { DutyRoster } from '../../src/notify/roster.js';
import type { OutgoingMessage, Recipient } from '../../src/notify/types.js';
import { alarmEvent, demoSettings } from './fixtures.js';

/** A channel's delivery queue that only writes down what it was given, and when. */
class RecordingDelivery implements DeliveryTarget {
  readonly sent: { at: number; message: OutgoingMessage; to: string[] }[] = [];
  enqueue(message: OutgoingMessage, to: readonly Recipient[]): void {
    this.sent.push({ at: Date.now(), message, to: to.map((r) => r.id) });
  }
  subjects(): string[] {
    return this.sent.map((s) => s.message.subject);
  }
}

const MIN = 60_000;
// Monday 28 September 2026, 03:00 in Shanghai: Sunday's night shift, Li Na on duty.
const NIGHT = Date.parse('2026-09-28T03:00:00+08:00');

let channels: Record<'email' | 'electricians-group' | 'hvac-group' | 'mqtt', RecordingDelivery>;
let warnings: string[];
let dispatcher: NotificationDispatcher;

function start(settings: NotifySettings = demoSettings()): void {
  channels = {
    email: new RecordingDelivery(),
    'electricians-group': new RecordingDelivery(),
    'hvac-group': new RecordingDelivery(),
    mqtt: new RecordingDelivery(),
  };
  warnings = [];
  const noop = () => {};
  // Only the methods the dispatcher calls; the cast stands in for a pino Logger.
  const log = {
    warn: (_fields: unknown, text: string) => warnings.push(text),
    info: noop,
    debug: noop,
    error: noop,
  } as unknown as Logger;
  dispatcher = new NotificationDispatcher({
    settings,
    roster: new DutyRoster(settings),
    deliveries: new Map(Object.entries(channels)),
    log,
  });
}

/** E-mail subjects a person received. */
const inbox = (person: string): string[] =>
  channels.email.sent.filter((s) => s.to.includes(person)).map((s) => s.message.subject);

/** What happens to an alarm, `after` ms from now. */
const at = (after: number, overrides: Partial<AlarmEvent>): AlarmEvent =>
  alarmEvent({ ts: Date.now() + after, ...overrides });

beforeEach(() => {
  vi.useFakeTimers({ now: NIGHT });
  start();
});
afterEach(() => {
  dispatcher.stop();
  vi.useRealTimers();
});

describe('an alarm goes to the team on duty', () => {
  it('oxygen pressure low at 3 a.m.: Li Na by e-mail, the electricians group, MQTT', () => {
    dispatcher.handle(alarmEvent());

    expect(inbox('li-na')).toEqual([
      '[CRITICAL] Oxygen station: supply pressure low — oxygen-station, main-building',
    ]);
    expect(channels.email.sent).toHaveLength(1);
    expect(channels.email.sent[0]?.to).toEqual(['li-na']);
    expect(channels['electricians-group'].sent.map((s) => s.to)).toEqual([['li-na']]);
    expect(channels.mqtt.sent).toHaveLength(1);
    expect(channels['hvac-group'].sent).toHaveLength(0);

    const { text, audience, kind } = channels.email.sent[0]!.message;
    expect({ audience, kind }).toEqual({ audience: 'electricians', kind: 'alarm' });
    for (const fact of [
      'Device: Oxygen station (o2)',
      'Room: oxygen-station',
      'Building: main-building (main)',
      'Value: 0.31 (limit 0.35)',
      'Time: 2026-09-28 03:00 (Asia/Shanghai)',
      'Alarm: o2-pressure-low@o2',
    ]) {
      expect(text).toContain(fact);
    }
  });

  it('in the day shift Wang Wei gets it; a chiller goes to the water/AC group', () => {
    vi.setSystemTime(Date.parse('2026-09-28T09:00:00+08:00'));
    dispatcher.handle(alarmEvent());
    dispatcher.handle(
      alarmEvent({ alarmId: 'trip@ch1', equipment: 'chiller', deviceName: 'Chiller 1', message: 'tripped' }),
    );
    expect(inbox('wang-wei')).toHaveLength(1);
    expect(inbox('li-na')).toHaveLength(0);
    expect(inbox('sun-hao')).toEqual(['[CRITICAL] Chiller 1: tripped — oxygen-station, main-building']);
    expect(channels['hvac-group'].sent.map((s) => s.to)).toEqual([['sun-hao']]);
  });

  it('medium priority: chat group and MQTT, no e-mail', () => {
    dispatcher.handle(alarmEvent({ priority: 'medium', equipment: 'power-meter' }));
    expect(channels.email.sent).toHaveLength(0);
    expect(channels['electricians-group'].subjects()).toEqual([
      '[MEDIUM] Oxygen station: supply pressure low — oxygen-station, main-building',
    ]);
    expect(channels.mqtt.sent).toHaveLength(1);
  });

  it('acknowledgement and return are announced with who acknowledged', () => {
    dispatcher.handle(alarmEvent());
    dispatcher.handle(at(MIN, { kind: 'acknowledged', user: 'li-na', to: 'active-acknowledged' }));
    dispatcher.handle(at(2 * MIN, { kind: 'cleared', to: 'normal' }));
    expect(inbox('li-na')).toEqual([
      '[CRITICAL] Oxygen station: supply pressure low — oxygen-station, main-building',
      '[ACK by li-na] Oxygen station: supply pressure low — oxygen-station, main-building',
      '[CLEARED] Oxygen station: supply pressure low — oxygen-station, main-building',
    ]);
  });

  it('an event the rule does not announce is not sent', () => {
    dispatcher.handle(alarmEvent({ notify: false }));
    expect(Object.values(channels).flatMap((c) => c.sent)).toEqual([]);
  });

  it('equipment no team lists goes to the first team, and that is logged once', () => {
    dispatcher.handle(alarmEvent({ alarmId: 'a@lift1', equipment: 'other', priority: 'medium' }));
    dispatcher.handle(alarmEvent({ alarmId: 'b@lift2', equipment: 'other', priority: 'medium' }));
    expect(channels['electricians-group'].sent).toHaveLength(2);
    expect(warnings.filter((w) => w.includes('no team answers'))).toHaveLength(1);
  });
});

describe('escalation of an unacknowledged critical alarm', () => {
  it('acknowledged within 5 min: the shift lead is not bothered', () => {
    dispatcher.handle(alarmEvent());
    vi.advanceTimersByTime(4 * MIN);
    dispatcher.handle(alarmEvent({ kind: 'acknowledged', user: 'li-na', to: 'active-acknowledged' }));
    vi.advanceTimersByTime(60 * MIN);
    expect(inbox('chen-gang')).toEqual([]);
    expect(inbox('liu-fang')).toEqual([]);
    expect(dispatcher.stats().escalationsFired).toBe(0);
  });

  it('nobody acknowledges: shift lead at 5 min, department head at 15 min', () => {
    dispatcher.handle(alarmEvent());
    vi.advanceTimersByTime(5 * MIN - 1);
    expect(inbox('chen-gang')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(inbox('chen-gang')).toEqual([
      '[CRITICAL, not acknowledged for 5 min] Oxygen station: supply pressure low — oxygen-station, main-building',
    ]);
    expect(channels['electricians-group'].sent.at(-1)?.message.kind).toBe('escalation');
    expect(inbox('liu-fang')).toEqual([]);

    vi.advanceTimersByTime(10 * MIN);
    expect(inbox('liu-fang')).toEqual([
      '[CRITICAL, not acknowledged for 15 min] Oxygen station: supply pressure low — oxygen-station, main-building',
    ]);
    const escalation = channels.email.sent.at(-1)!;
    expect(escalation.at - NIGHT).toBe(15 * MIN);
    expect(escalation.message.text).toContain('Escalated to department-head');

    vi.advanceTimersByTime(120 * MIN);
    expect(dispatcher.stats().escalationsFired).toBe(2);
    // Li Na only has the alarm itself by e-mail; escalations go to the levels.
    expect(inbox('li-na')).toHaveLength(1);
  });

  it.each([
    ['returned to normal', { kind: 'returned', to: 'returned-unacknowledged' }],
    ['shelved', { kind: 'shelved', user: 'li-na', to: 'shelved' }],
    ['taken out of service', { kind: 'removed-from-service', user: 'li-na', to: 'out-of-service' }],
  ] as const)('%s before 5 min: no escalation', (_what, change) => {
    dispatcher.handle(alarmEvent());
    vi.advanceTimersByTime(3 * MIN);
    dispatcher.handle(alarmEvent({ ...change, notify: false }));
    vi.advanceTimersByTime(60 * MIN);
    expect(inbox('chen-gang')).toEqual([]);
    expect(dispatcher.stats().pendingEscalations).toBe(0);
  });

  it('acknowledged between the steps: the department head is not bothered', () => {
    dispatcher.handle(alarmEvent());
    vi.advanceTimersByTime(10 * MIN);
    dispatcher.handle(alarmEvent({ kind: 'acknowledged', user: 'chen-gang', to: 'active-acknowledged' }));
    vi.advanceTimersByTime(60 * MIN);
    expect(inbox('chen-gang')).toHaveLength(1);
    expect(inbox('liu-fang')).toEqual([]);
  });

  it('one alarm acknowledged does not stop another one', () => {
    dispatcher.handle(alarmEvent());
    dispatcher.handle(alarmEvent({ alarmId: 'trip@ch1', equipment: 'chiller', deviceName: 'Chiller 1' }));
    dispatcher.handle(alarmEvent({ kind: 'acknowledged', user: 'li-na', to: 'active-acknowledged' }));
    vi.advanceTimersByTime(5 * MIN);
    expect(inbox('chen-gang')).toHaveLength(1);
    expect(inbox('chen-gang')[0]).toContain('Chiller 1');
  });

  it('after a restart 6 min into the alarm: nothing re-sent, the department head still at 15 min', () => {
    const activation = alarmEvent();
    vi.advanceTimersByTime(6 * MIN); // the gateway was down; the shift lead was told before
    dispatcher.resumeEscalation(activation);
    expect(channels.email.sent).toEqual([]);
    vi.advanceTimersByTime(9 * MIN - 1);
    expect(inbox('liu-fang')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(inbox('liu-fang')).toHaveLength(1);
    expect(inbox('chen-gang')).toEqual([]);
  });

  it('a chattering alarm whose muted repeat stays unacknowledged still reaches the shift lead', () => {
    dispatcher.handle(alarmEvent());
    dispatcher.handle(alarmEvent({ kind: 'returned', to: 'returned-unacknowledged' }));
    dispatcher.handle(alarmEvent({ notify: false })); // the engine mutes repeats while chattering
    vi.advanceTimersByTime(5 * MIN);
    expect(inbox('chen-gang')).toHaveLength(1);
  });

  it('stop() cancels pending escalations', () => {
    dispatcher.handle(alarmEvent());
    dispatcher.stop();
    vi.advanceTimersByTime(60 * MIN);
    expect(inbox('chen-gang')).toEqual([]);
  });
});

describe('alarm flood', () => {
  /** 30 power-meter alarms in one minute (a supply dip), one of them critical. */
  function flood(): void {
    for (let i = 0; i < 30; i++) {
      dispatcher.handle(
        alarmEvent({
          alarmId: `voltage-low@pm${i}`,
          equipment: 'power-meter',
          deviceName: `Feeder ${i}`,
          message: 'voltage low',
          priority: i === 17 ? 'critical' : 'medium',
        }),
      );
      vi.advanceTimersByTime(2000);
    }
  }
  const group = () => channels['electricians-group'].sent.map((s) => s.message);

  it('30 activations in a minute: 10 messages, then a handful of summaries counting them all', () => {
    flood();
    vi.advanceTimersByTime(15 * MIN);

    const messages = group().filter((m) => m.kind !== 'escalation');
    const singles = messages.filter((m) => m.kind === 'alarm');
    const summaries = messages.filter((m) => m.kind === 'flood-summary');
    expect(singles).toHaveLength(10);
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(summaries.length).toBeLessThanOrEqual(4);
    // Each summary counts every activation of the flood so far; the last one all 30.
    const counted = summaries.map((m) => Number(/ (\d+) alarms in /.exec(m.subject)?.[1]));
    expect(counted).toEqual([...counted].sort((a, b) => a - b));
    expect(counted.at(-1)).toBe(30);
    // ...but carries only the events it reports for the first time, so payloads stay small.
    expect(summaries.reduce((n, m) => n + m.events.length, 0)).toBe(20);
    expect(summaries.at(-1)?.subject).toBe('[FLOOD OVER] 30 alarms in 58 s — 1 critical, 29 medium');
    // A summary lists what no earlier message carried, so nothing is read twice.
    const lines = summaries.flatMap((m) => m.text.split('\n'));
    const listed = lines.filter((line) => /^\d\d:\d\d /.test(line));
    const notListed = lines.map((line) => Number(/… and (\d+) more/.exec(line)?.[1] ?? 0));
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.length + notListed.reduce((a, b) => a + b, 0)).toBe(20);
    expect(summaries[0]?.subject).toMatch(/^\[ALARM FLOOD\]/);
    // The critical one is listed first.
    expect(summaries[0]?.text.split('\n')[3]).toContain('CRITICAL Feeder 17: voltage low');
    expect(dispatcher.stats()).toMatchObject({ suppressedByFlood: 20, flooding: false });
  });

  it('a critical alarm in the flood reaches the people on duty within one flush', () => {
    flood();
    // Activated at 34 s, held back; the flood started at 20 s and flushes every 30 s.
    const critical = channels.email.sent.find((s) => s.message.kind === 'flood-summary');
    expect(critical?.to).toEqual(['li-na']);
    expect(critical!.at - NIGHT).toBeLessThanOrEqual(34_000 + 30_000);
    expect(critical?.message.priority).toBe('critical');
  });

  it('escalation still runs per alarm during a flood', () => {
    flood();
    vi.advanceTimersByTime(5 * MIN);
    expect(inbox('chen-gang')).toHaveLength(1);
    expect(inbox('chen-gang')[0]).toContain('Feeder 17');
  });

  it('after the flood single messages resume', () => {
    flood();
    vi.advanceTimersByTime(15 * MIN);
    const before = group().length;
    dispatcher.handle(alarmEvent({ priority: 'medium', equipment: 'power-meter', deviceName: 'Feeder 99' }));
    expect(
      group()
        .slice(before)
        .map((m) => m.kind),
    ).toEqual(['alarm']);
  });
});

describe('low priority digest', () => {
  const low = (alarmId: string, equipment: string): AlarmEvent =>
    alarmEvent({ alarmId, equipment, priority: 'low', message: 'night flow above normal' });

  it('collected per team and sent once per hour, nothing for an empty hour', () => {
    dispatcher.handle(low('night-flow@wm1', 'water-meter'));
    vi.advanceTimersByTime(10 * MIN);
    dispatcher.handle(low('night-flow@wm2', 'water-meter'));
    dispatcher.handle(low('maintenance@pm1', 'power-meter'));
    expect(channels.email.sent).toHaveLength(0);

    vi.advanceTimersByTime(50 * MIN);
    expect(inbox('sun-hao')).toHaveLength(1);
    expect(inbox('li-na')).toHaveLength(1);
    const digest = channels.email.sent.find((s) => s.to.includes('sun-hao'))!.message;
    expect(digest.kind).toBe('digest');
    expect(digest.events.map((e) => e.alarmId)).toEqual(['night-flow@wm1', 'night-flow@wm2']);
    expect(digest.subject).toBe('[DIGEST] 2 events, 2026-09-28 03:00–04:00 — 2 low');
    // Only e-mail is routed for low.
    expect(channels['hvac-group'].sent).toHaveLength(0);

    vi.advanceTimersByTime(3 * 60 * MIN);
    expect(channels.email.sent).toHaveLength(2);
  });
});

describe('chattering', () => {
  it('announced once; the repeats the engine marks notify=false are not sent', () => {
    const chatter = { kind: 'chattering', priority: 'medium', equipment: 'power-meter' } as const;
    dispatcher.handle(alarmEvent(chatter));
    dispatcher.handle(alarmEvent(chatter));
    for (let i = 0; i < 5; i++) {
      dispatcher.handle(alarmEvent({ priority: 'medium', equipment: 'power-meter', notify: false }));
    }
    const sent = channels['electricians-group'].sent.map((s) => s.message);
    expect(sent.map((m) => m.kind)).toEqual(['chatter']);
    expect(sent[0]?.subject).toBe(
      '[CHATTERING] Oxygen station: supply pressure low — oxygen-station, main-building',
    );
    expect(dispatcher.stats().composed.chatter).toBe(1);
  });
});

describe('startNotifier', () => {
  it('wires the configured channels: an activation is published on the MQTT topic', async () => {
    vi.useRealTimers();
    const settings = demoSettings((raw) => {
      raw.channels = { mqtt: { topic: 'plantwatch/{site}/notifications/{priority}' } };
      for (const team of raw.teams as Record<string, unknown>[]) delete team.webhook;
      raw.routing = { critical: { channels: ['mqtt'] }, high: {}, medium: {}, low: {} };
    });
    const published: { topic: string; payload: string }[] = [];
    const notifier = startNotifier({
      settings,
      log: silentLogger(),
      publishMqtt: async (topic, payload) => {
        published.push({ topic, payload });
      },
    });
    notifier.handle(alarmEvent());
    await notifier.close();
    expect(published.map((p) => p.topic)).toEqual(['plantwatch/main/notifications/critical']);
    expect(JSON.parse(published[0]!.payload)).toMatchObject({ kind: 'alarm', audience: 'electricians' });
    expect(notifier.stats().deliveries).toEqual([expect.objectContaining({ channel: 'mqtt', sent: 1 })]);
  });
});
