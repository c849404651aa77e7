/**
 * The alarm lifecycle as an electrician meets it: limits with deadband and delays at their
 * edges, acknowledgement, return to normal, shelving, out of service, and a restart.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LifecycleError } from '../../src/alarms/index.js';
import { type AlarmHarness, alarmHarness, CHW_HIGH_RULE as HIGH } from './harness.js';

let h: AlarmHarness;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-25T03:00:00Z') });
});
afterEach(async () => {
  await h?.stop();
  vi.useRealTimers();
});

describe('a high limit with a deadband', () => {
  it('activates only strictly above the limit and returns only below limit − deadband', () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 9);
    expect(h.state('chw-high@ch1')).toBe('normal');
    h.set('ch1.chw_supply_temp', 9.01);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
    // Inside the deadband: still in alarm, no chatter around the limit.
    h.set('ch1.chw_supply_temp', 8.9);
    h.set('ch1.chw_supply_temp', 9.2);
    h.set('ch1.chw_supply_temp', 8.51);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
    expect(h.kinds()).toEqual(['activated']);
    h.set('ch1.chw_supply_temp', 8.5);
    expect(h.state('chw-high@ch1')).toBe('returned-unacknowledged');
    expect(h.kinds()).toEqual(['activated', 'returned']);
  });

  it('applies per device of the profile and says which, where, and by how much', () => {
    h = alarmHarness([HIGH]);
    h.set('ch2.chw_supply_temp', 11.2);
    expect(h.state('chw-high@ch1')).toBe('normal');
    const [event] = h.events;
    expect(event).toMatchObject({
      alarmId: 'chw-high@ch2',
      device: 'ch2',
      deviceName: 'Chiller 2',
      equipment: 'chiller',
      priority: 'high',
      value: 11.2,
      limit: 9,
      notify: true,
      message: 'Chiller 2: chilled water 11.2 °C above 9 °C',
    });
  });

  it("takes a device's own limit where the rule gives one", () => {
    h = alarmHarness([{ ...HIGH, limitFor: { ch2: 12 } }]);
    h.set('ch1.chw_supply_temp', 10);
    h.set('ch2.chw_supply_temp', 10);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
    expect(h.state('chw-high@ch2')).toBe('normal');
    h.set('ch2.chw_supply_temp', 12.5);
    expect(h.service.get('chw-high@ch2')).toMatchObject({ state: 'active-unacknowledged', limit: 12 });
    expect(h.service.get('chw-high@ch2')?.condition).toBe('chw_supply_temp > 12 °C (deadband 0.5)');
  });

  it('ignores bad-quality readings instead of clearing or raising on them', () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 12);
    h.set('ch1.chw_supply_temp', null, 'comm-error');
    h.set('ch1.chw_supply_temp', 3, 'out-of-range');
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
    h.set('ch2.chw_supply_temp', 40, 'out-of-range');
    expect(h.state('chw-high@ch2')).toBe('normal');
  });
});

describe('on-delay and off-delay', () => {
  const delayed = { ...HIGH, onDelay: '10m', offDelay: '30s' };

  it('activates only when the condition held for the whole on-delay', () => {
    h = alarmHarness([delayed]);
    h.set('ch1.chw_supply_temp', 10);
    h.advance(9 * 60_000 + 59_000);
    h.set('ch1.chw_supply_temp', 10.1);
    expect(h.state('chw-high@ch1')).toBe('normal');
    h.advance(1000);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
  });

  it('starts the on-delay again when the condition drops out in between', () => {
    h = alarmHarness([delayed]);
    h.set('ch1.chw_supply_temp', 10);
    h.advance(5 * 60_000);
    h.set('ch1.chw_supply_temp', 8); // below limit − deadband
    h.set('ch1.chw_supply_temp', 10);
    h.advance(9 * 60_000);
    expect(h.state('chw-high@ch1')).toBe('normal');
    h.advance(60_000);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
  });

  it('returns only after the off-delay, and a short return does nothing', () => {
    h = alarmHarness([delayed]);
    h.set('ch1.chw_supply_temp', 10);
    h.advance(10 * 60_000);
    h.set('ch1.chw_supply_temp', 8);
    h.advance(20_000);
    h.set('ch1.chw_supply_temp', 10);
    h.advance(60_000);
    expect(h.kinds()).toEqual(['activated']);
    h.set('ch1.chw_supply_temp', 8);
    h.advance(29_900);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
    h.advance(200);
    expect(h.state('chw-high@ch1')).toBe('returned-unacknowledged');
  });
});

describe('acknowledgement', () => {
  it('active → acknowledged → normal when the condition clears, with who and when', () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 10);
    h.service.acknowledge('chw-high@ch1', 'wang-wei', 'going to plant room');
    expect(h.service.get('chw-high@ch1')).toMatchObject({
      state: 'active-acknowledged',
      acknowledgedBy: 'wang-wei',
      acknowledgedAt: Date.now(),
    });
    h.set('ch1.chw_supply_temp', 7);
    expect(h.state('chw-high@ch1')).toBe('normal');
    expect(h.events.map((e) => [e.kind, e.from, e.to, e.user ?? null])).toEqual([
      ['activated', 'normal', 'active-unacknowledged', null],
      ['acknowledged', 'active-unacknowledged', 'active-acknowledged', 'wang-wei'],
      ['cleared', 'active-acknowledged', 'normal', null],
    ]);
  });

  it('a returned alarm stays on the list until someone acknowledges it; if it comes back it is new again', () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 10);
    h.set('ch1.chw_supply_temp', 7);
    expect(h.service.list().map((a) => [a.id, a.state])).toEqual([
      ['chw-high@ch1', 'returned-unacknowledged'],
    ]);
    h.set('ch1.chw_supply_temp', 10);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
    h.set('ch1.chw_supply_temp', 7);
    h.service.acknowledge('chw-high@ch1', 'li-na');
    expect(h.state('chw-high@ch1')).toBe('normal');
    expect(h.service.list()).toEqual([]);
  });

  it("a second acknowledgement is refused and keeps the first one's name", () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 10);
    h.service.acknowledge('chw-high@ch1', 'wang-wei');
    expect(() => h.service.acknowledge('chw-high@ch1', 'li-na')).toThrow(LifecycleError);
    expect(h.service.get('chw-high@ch1')).toMatchObject({ acknowledgedBy: 'wang-wei' });
  });

  it('refuses to acknowledge an alarm that is normal, or one that does not exist', () => {
    h = alarmHarness([HIGH]);
    expect(() => h.service.acknowledge('chw-high@ch1', 'wang-wei')).toThrow(LifecycleError);
    expect(() => h.service.acknowledge('nope', 'wang-wei')).toThrow(/no alarm "nope"/);
    expect(h.events).toEqual([]);
  });
});

describe('shelving and out of service', () => {
  it('a shelved alarm is silent until the shelving runs out, then comes back if still active', () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 10);
    h.service.shelve('chw-high@ch1', 'wang-wei', 'sensor being replaced', 30 * 60_000);
    expect(h.service.get('chw-high@ch1')).toMatchObject({
      state: 'shelved',
      shelvedBy: 'wang-wei',
      reason: 'sensor being replaced',
      shelvedUntil: Date.now() + 30 * 60_000,
    });
    h.set('ch1.chw_supply_temp', 7);
    h.set('ch1.chw_supply_temp', 12);
    h.advance(29 * 60_000);
    expect(h.kinds()).toEqual(['activated', 'shelved']);
    h.advance(61_000);
    expect(h.kinds()).toEqual(['activated', 'shelved', 'unshelved', 'activated']);
    expect(h.state('chw-high@ch1')).toBe('active-unacknowledged');
  });

  it('limits how long an alarm may be shelved', () => {
    h = alarmHarness([HIGH], { maxShelve: '8h' });
    expect(() => h.service.shelve('chw-high@ch1', 'wang-wei', 'noisy', 9 * 3_600_000)).toThrow(
      /limited to 480 minutes/,
    );
  });

  it('out of service follows the plant silently and returns to normal when put back', () => {
    h = alarmHarness([HIGH]);
    h.service.removeFromService('chw-high@ch1', 'chen-gang', 'chiller 1 overhaul');
    h.set('ch1.chw_supply_temp', 15);
    h.set('ch1.chw_supply_temp', 7);
    h.service.returnToService('chw-high@ch1', 'chen-gang');
    expect(h.state('chw-high@ch1')).toBe('normal');
    expect(h.kinds()).toEqual(['removed-from-service', 'returned-to-service']);
  });
});

describe('the journal', () => {
  it('keeps every transition with value and user, and the state across a restart', async () => {
    h = alarmHarness([HIGH]);
    h.set('ch1.chw_supply_temp', 10.4);
    h.service.acknowledge('chw-high@ch1', 'wang-wei', 'checking');
    const again = h.restart();
    try {
      expect(again.service.get('chw-high@ch1')).toMatchObject({
        state: 'active-acknowledged',
        acknowledgedBy: 'wang-wei',
        value: 10.4,
      });
      // The plant recovered while the gateway was down: the first reading clears it.
      again.set('ch1.chw_supply_temp', 7);
      expect(again.state('chw-high@ch1')).toBe('normal');
      const history = again.service.history({ alarm: 'chw-high@ch1' });
      expect(history.map((e) => [e.kind, e.user ?? null, e.comment ?? null, e.value])).toEqual([
        ['cleared', null, null, 7],
        ['acknowledged', 'wang-wei', 'checking', 10.4],
        ['activated', null, null, 10.4],
      ]);
      expect(history[0]!.seq).toBeGreaterThan(history[1]!.seq);
    } finally {
      await again.stop();
    }
  });

  it('still announces an alarm when the journal cannot be written, and counts the failures', () => {
    h = alarmHarness([HIGH]);
    h.closeJournal();
    h.set('ch1.chw_supply_temp', 10);
    expect(h.kinds()).toEqual(['activated']);
    expect(h.events[0]?.seq).toBe(0);
    expect(h.service.stats().journalErrors).toBe(1);
  });

  it('filters the history by time, priority, device and kind', () => {
    const trip = {
      id: 'trip',
      profile: 'chiller',
      type: 'state',
      point: 'tripped',
      equals: true,
      priority: 'critical',
    };
    h = alarmHarness([HIGH, trip]);
    h.set('ch1.chw_supply_temp', 10);
    h.advance(60_000);
    const t = Date.now();
    h.set('ch2.tripped', true);
    h.set('ch1.chw_supply_temp', 7);
    expect(h.service.history({ priority: ['critical'] }).map((e) => e.alarmId)).toEqual(['trip@ch2']);
    expect(h.service.history({ from: t }).map((e) => e.kind)).toEqual(['returned', 'activated']);
    expect(h.service.history({ device: 'ch1', kind: ['activated'] }).map((e) => e.alarmId)).toEqual([
      'chw-high@ch1',
    ]);
    expect(h.service.history({ limit: 1 })).toHaveLength(1);
  });
});
