/**
 * Each kind of alarm condition on the small test plant: digital states, rate of change,
 * deviation, communication loss, combined expressions, night-only windows, and chatter.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AlarmHarness, alarmHarness } from './harness.js';

let h: AlarmHarness;
beforeEach(() => {
  // 03:00 in Shanghai.
  vi.useFakeTimers({ now: new Date('2026-11-24T19:00:00Z') });
});
afterEach(async () => {
  await h?.stop();
  vi.useRealTimers();
});

describe('digital states', () => {
  it('a trip (equals), a fault code (notEquals 0) and a fault bit', () => {
    h = alarmHarness([
      { id: 'trip', profile: 'chiller', type: 'state', point: 'tripped', equals: true, priority: 'critical' },
      { id: 'fault', profile: 'chiller', type: 'state', point: 'fault_code', notEquals: 0, priority: 'high' },
      { id: 'hp-bit', profile: 'chiller', type: 'state', point: 'fault_code', bit: 2, priority: 'high' },
    ]);
    h.set('ch1.tripped', false);
    h.set('ch1.fault_code', 0);
    expect(h.service.list()).toEqual([]);
    h.set('ch1.fault_code', 3); // bits 0 and 1
    expect(h.service.list().map((a) => a.id)).toEqual(['fault@ch1']);
    h.set('ch1.fault_code', 4); // bit 2
    h.set('ch1.tripped', true);
    expect(h.service.list().map((a) => a.id)).toEqual(['trip@ch1', 'fault@ch1', 'hp-bit@ch1']);
    expect(h.service.get('fault@ch1')?.value).toBe(4);
  });
});

describe('rate of change', () => {
  it('alarms a pressure falling faster than the limit over the window, not a slow drift', () => {
    h = alarmHarness([
      {
        id: 'pressure-drop',
        profile: 'pump',
        type: 'rate',
        point: 'pressure_bar',
        limit: 0.5,
        window: '1m',
        direction: 'fall',
        priority: 'high',
      },
    ]);
    // Slow drift: 0.2 bar/min over two minutes.
    for (let s = 0; s <= 120; s += 10) {
      h.set('p1.pressure_bar', 6 - (0.2 * s) / 60);
      h.advance(10_000);
    }
    expect(h.state('pressure-drop@p1')).toBe('normal');
    // A burst pipe: 1 bar/min.
    const start = 6 - 0.4;
    for (let s = 10; s <= 60; s += 10) {
      h.advance(10_000);
      h.set('p1.pressure_bar', start - s / 60);
    }
    expect(h.state('pressure-drop@p1')).toBe('active-unacknowledged');
    expect(h.service.get('pressure-drop@p1')?.value).toBeLessThan(-0.5);
  });
});

describe('deviation between two points', () => {
  it('alarms when supply and return are further apart than the limit, with a deadband', () => {
    h = alarmHarness([
      {
        id: 'delta-t',
        profile: 'chiller',
        type: 'deviation',
        point: 'chw_return_temp',
        reference: 'chw_supply_temp',
        limit: 7,
        deadband: 1,
        direction: 'above',
        priority: 'medium',
      },
    ]);
    h.set('ch1.chw_supply_temp', 7);
    h.set('ch1.chw_return_temp', 14);
    expect(h.state('delta-t@ch1')).toBe('normal');
    h.set('ch1.chw_return_temp', 14.5);
    expect(h.state('delta-t@ch1')).toBe('active-unacknowledged');
    h.set('ch1.chw_return_temp', 13.5);
    expect(h.state('delta-t@ch1')).toBe('active-unacknowledged');
    h.set('ch1.chw_return_temp', 12.9);
    expect(h.state('delta-t@ch1')).toBe('returned-unacknowledged');
  });
});

describe('communication loss', () => {
  const rules = [
    { id: 'comm', profile: 'pump', type: 'comm-loss', after: '1m', priority: 'medium' },
    {
      id: 'comm-critical',
      profile: 'chiller',
      where: { critical: true },
      type: 'comm-loss',
      after: '30s',
      priority: 'critical',
    },
  ];

  it('alarms a device with no good reading for the time set, and returns on its next good one', () => {
    h = alarmHarness(rules);
    h.set('p1.running', true);
    h.set('p2.running', true);
    h.advance(30_000);
    h.set('p2.running', null, 'comm-error');
    h.set('p1.running', true);
    h.advance(25_000);
    expect(h.state('comm@p1')).toBe('normal');
    expect(h.state('comm@p2')).toBe('normal');
    h.advance(10_000);
    expect(h.state('comm@p2')).toBe('active-unacknowledged');
    expect(h.state('comm@p1')).toBe('normal');
    expect(h.service.get('comm@p2')?.message).toBe('Pump 2: no data for 65 s');
    h.set('p2.running', false);
    h.advance(200);
    expect(h.state('comm@p2')).toBe('returned-unacknowledged');
  });

  it('a device that never answered since start is alarmed too; only critical devices get the critical rule', () => {
    h = alarmHarness(rules);
    h.advance(31_000);
    expect(h.service.list().map((a) => a.id)).toEqual(['comm-critical@ch2']);
    expect(h.service.get('comm-critical@ch1')).toBeUndefined();
  });
});

describe('combined expressions', () => {
  const allPumps = {
    id: 'all-pumps-down',
    type: 'expression',
    inputs: { p1: 'p1.running', p2: 'p2.running' },
    when: 'not p1 and not p2',
    priority: 'critical',
    message: 'All chilled-water pumps stopped',
  };

  it('alarms when every pump of the group has stopped, not when one has', () => {
    h = alarmHarness([allPumps]);
    h.set('p1.running', true);
    h.set('p2.running', false);
    expect(h.state('all-pumps-down')).toBe('normal');
    h.set('p1.running', false);
    expect(h.service.get('all-pumps-down')).toMatchObject({
      state: 'active-unacknowledged',
      equipment: 'pump',
      message: 'All chilled-water pumps stopped',
    });
  });

  it('does not decide on an unknown input, but a known one can decide alone', () => {
    h = alarmHarness([allPumps]);
    h.set('p1.running', false);
    h.set('p2.running', null, 'comm-error');
    expect(h.state('all-pumps-down')).toBe('normal');
    h.set('p1.running', true); // "not p1" is false: the whole is false whatever p2 is
    h.set('p1.running', false);
    h.set('p2.running', false);
    expect(h.state('all-pumps-down')).toBe('active-unacknowledged');
  });
});

describe('rules evaluated only during some hours', () => {
  it('a night-flow style alarm is armed between its times and returns when the window closes', () => {
    h = alarmHarness(
      [
        {
          id: 'night-pressure',
          profile: 'pump',
          type: 'high',
          point: 'pressure_bar',
          limit: 5,
          during: { from: '01:00', to: '05:00' },
          priority: 'low',
        },
      ],
      { timezone: 'Asia/Shanghai' },
    );
    h.set('p1.pressure_bar', 6); // 03:00 local
    expect(h.state('night-pressure@p1')).toBe('active-unacknowledged');
    h.service.acknowledge('night-pressure@p1', 'li-na');
    h.advance(2 * 3_600_000); // 05:00: outside the window
    expect(h.state('night-pressure@p1')).toBe('normal');
    h.set('p1.pressure_bar', 7);
    expect(h.state('night-pressure@p1')).toBe('normal');
  });
});

describe('chattering', () => {
  it('is reported once, its repeats are journaled but not announced, and it ends when calm', () => {
    h = alarmHarness(
      [{ id: 'trip', profile: 'chiller', type: 'state', point: 'tripped', equals: true, priority: 'high' }],
      {
        chatter: { count: 3, window: '1m' },
      },
    );
    for (let i = 0; i < 5; i++) {
      h.set('ch1.tripped', true);
      h.advance(5000);
      h.set('ch1.tripped', false);
      h.advance(5000);
    }
    const announced = h.events.filter((e) => e.notify).map((e) => e.kind);
    expect(announced).toEqual(['activated', 'returned', 'activated', 'returned', 'activated', 'chattering']);
    expect(h.kinds().filter((k) => k === 'activated')).toHaveLength(5);
    expect(h.service.get('trip@ch1')?.chattering).toBe(true);
    expect(h.service.stats().chattering).toBe(1);
    h.advance(61_000);
    expect(h.kinds().at(-1)).toBe('chatter-ended');
    expect(h.service.get('trip@ch1')?.chattering).toBe(false);
  });
});
