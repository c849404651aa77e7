/**
 * Alarm texts after the fact, as the electrician on duty and the accreditation reviewer read
 * them: an alarm that has returned still says what raised it and when it came back; an alarm
 * that is not raised says what it watches, never "no data bar (limit bar)" or "no data for 0 s".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AlarmHarness,
  alarmHarness,
  FAULT_CODE_RULE as FAULT,
  CHW_HIGH_RULE as HIGH,
} from './harness.js';

const MIN = 60_000;
/** 03:00 in Shanghai. */
const T0 = Date.parse('2026-11-25T03:00:00+08:00');
const SHANGHAI = { timezone: 'Asia/Shanghai' };

const COMM = { id: 'comm', profile: 'pump', type: 'comm-loss', after: '1m', priority: 'medium' };
const PRESSURE = {
  id: 'pressure-high',
  profile: 'pump',
  type: 'high',
  point: 'pressure_bar',
  limit: 5,
  priority: 'low',
};

let h: AlarmHarness;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(async () => {
  await h?.stop();
  vi.useRealTimers();
});

const texts = (id: string) => h.events.filter((e) => e.alarmId === id).map((e) => [e.kind, e.message]);

describe('an alarm that has returned', () => {
  it('keeps the fault code that raised it in the list, the events and the journal', () => {
    h = alarmHarness([FAULT], SHANGHAI);
    h.set('ch1.fault_code', 207);
    h.advance(12 * MIN);
    h.set('ch1.fault_code', 0);
    const returned = 'Chiller 1: fault code 207 (returned to normal 03:12, now 0)';
    expect(h.service.get('fault@ch1')).toMatchObject({
      state: 'returned-unacknowledged',
      message: returned,
      value: 0,
      raised: { value: 207, limit: null, ts: T0 },
      returnedAt: T0 + 12 * MIN,
    });
    h.advance(3 * MIN);
    h.service.acknowledge('fault@ch1', 'li-na');
    expect(texts('fault@ch1')).toEqual([
      ['activated', 'Chiller 1: fault code 207'],
      ['returned', returned],
      ['acknowledged', returned],
    ]);
    const journal = h.service.history({ alarm: 'fault@ch1' }).reverse();
    expect(journal.map((e) => [e.kind, e.value, e.raised, e.message])).toEqual([
      ['activated', 207, { value: 207, limit: null, ts: T0 }, 'Chiller 1: fault code 207'],
      ['returned', 0, { value: 207, limit: null, ts: T0 }, returned],
      ['acknowledged', 0, { value: 207, limit: null, ts: T0 }, returned],
    ]);
  });

  it('a limit alarm cleared after acknowledgement quotes the reading and limit that raised it', () => {
    h = alarmHarness([HIGH], SHANGHAI);
    h.set('ch1.chw_supply_temp', 10.4);
    h.advance(2 * MIN);
    h.set('ch1.chw_supply_temp', 11.8);
    h.service.acknowledge('chw-high@ch1', 'wang-wei');
    h.advance(3 * MIN);
    h.set('ch1.chw_supply_temp', 8.2);
    expect(texts('chw-high@ch1')).toEqual([
      ['activated', 'Chiller 1: chilled water 10.4 °C above 9 °C'],
      ['acknowledged', 'Chiller 1: chilled water 11.8 °C above 9 °C'],
      ['cleared', 'Chiller 1: chilled water 10.4 °C above 9 °C (returned to normal 03:05, now 8.2 °C)'],
    ]);
    expect(h.events.at(-1)).toMatchObject({
      value: 8.2,
      limit: 9,
      raised: { value: 10.4, limit: 9, ts: T0 },
    });
  });

  it('keeps what raised it across a restart', async () => {
    h = alarmHarness([FAULT], SHANGHAI);
    h.set('ch1.fault_code', 207);
    h.advance(12 * MIN);
    h.set('ch1.fault_code', 0);
    const again = h.restart();
    try {
      expect(again.service.get('fault@ch1')?.message).toBe(
        'Chiller 1: fault code 207 (returned to normal 03:12, now 0)',
      );
    } finally {
      await again.stop();
    }
  });
});

describe('communication loss', () => {
  it('says how long the device was silent and when data came back, never "no data for 0 s"', () => {
    h = alarmHarness([COMM], SHANGHAI);
    h.set('p2.running', true);
    h.advance(5 * MIN);
    expect(h.service.get('comm@p2')?.message).toBe('Pump 2: no data for 300 s');
    h.set('p2.running', true);
    const back = 'Pump 2: no data for 300 s (data back 03:05)';
    expect(texts('comm@p2')).toEqual([
      ['activated', 'Pump 2: no data for 60 s'],
      ['returned', back],
    ]);
    expect(h.service.get('comm@p2')?.message).toBe(back);
    h.service.acknowledge('comm@p2', 'li-na');
    expect(h.service.get('comm@p2')?.message).toBe('Pump 2: normal — alarm when no good reading for 1m');
    expect(h.events.map((e) => e.message).join('\n')).not.toMatch(/for 0 s/);
  });
});

describe('an alarm that is not raised', () => {
  it('says what it watches, with the reading if there is one and "no good reading" if not', () => {
    h = alarmHarness([PRESSURE], SHANGHAI);
    h.set('p2.pressure_bar', 4.2);
    h.service.shelve('pressure-high@p1', 'li-na', 'pump out for repair', 60 * MIN);
    expect(texts('pressure-high@p1')).toEqual([
      ['shelved', 'Pump 1: no good reading of pressure_bar — alarm when pressure_bar > 5 bar'],
    ]);
    expect(h.service.get('pressure-high@p2')?.message).toBe(
      'Pump 2: pressure_bar 4.2 bar, normal — alarm when pressure_bar > 5 bar',
    );
    const all = h.service.list({ includeNormal: true }).map((a) => a.message);
    expect(all.join('\n')).not.toMatch(/no data|limit bar|limit \)/);
  });

  it('a rule evaluated only at night still shows its reading by day', () => {
    h = alarmHarness([{ ...PRESSURE, during: { from: '01:00', to: '02:00' } }], SHANGHAI);
    h.set('p1.pressure_bar', 6.1);
    expect(h.service.get('pressure-high@p1')).toMatchObject({
      state: 'normal',
      value: 6.1,
      message:
        'Pump 1: pressure_bar 6.1 bar, normal — alarm when pressure_bar > 5 bar, between 01:00 and 02:00',
    });
  });
});
