/**
 * Time-of-use cost, flat prices and carbon: a day of hourly readings costed by hand, period
 * cuts inside an hour, price changes on their date, and properties on random histories (the
 * periods add up to the total; cutting an interval anywhere changes nothing).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { energyFile } from '../../src/config/energy-schema.js';
import { type Consumed, carbon, flatCost, peakShare, touCost } from '../../src/energy/tariffs.js';

const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;

/** Summer (July, August) has sharp peaks at 11–12 and 15–17; the rest of the year none. */
const tariffs = energyFile.parse({
  tariffs: {
    electricity: [
      {
        from: '2026-01-01',
        prices: { sharp: 1.5, peak: 1.2, flat: 0.7, valley: 0.3 },
        seasons: [
          {
            months: [7, 8],
            schedule: [
              { from: '00:00', band: 'valley' },
              { from: '08:00', band: 'flat' },
              { from: '10:00', band: 'peak' },
              { from: '11:00', band: 'sharp' },
              { from: '12:00', band: 'flat' },
              { from: '14:00', band: 'peak' },
              { from: '15:00', band: 'sharp' },
              { from: '17:00', band: 'peak' },
              { from: '19:00', band: 'flat' },
              { from: '23:00', band: 'valley' },
            ],
          },
          {
            months: [1, 2, 3, 4, 5, 6, 9, 10, 11, 12],
            schedule: [
              { from: '00:00', band: 'valley' },
              { from: '08:00', band: 'flat' },
              { from: '10:00', band: 'peak' },
              { from: '12:00', band: 'flat' },
              { from: '14:00', band: 'peak' },
              { from: '19:00', band: 'flat' },
              { from: '23:00', band: 'valley' },
            ],
          },
        ],
      },
      // From 16 July the valley price falls; the cut of the day stays (one season all year).
      {
        from: '2026-07-16',
        prices: { peak: 1.2, flat: 0.7, valley: 0.25 },
        seasons: [
          {
            months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            schedule: [
              { from: '00:00', band: 'valley' },
              { from: '08:00', band: 'flat' },
              { from: '11:30', band: 'peak' },
              { from: '19:00', band: 'flat' },
              { from: '23:00', band: 'valley' },
            ],
          },
        ],
      },
    ],
    water: [
      { from: '2026-01-01', price: 4.9 },
      { from: '2026-07-16', price: 5.2 },
    ],
  },
  carbon: {
    electricity: [{ from: '2025-01-01', kgCo2ePerUnit: 0.5703, source: 'MEE 2024 national grid average' }],
  },
});
const electricity = tariffs.tariffs.electricity;

/** Local midnight of a July day in Shanghai (UTC+8, no daylight saving). */
const july = (day: number) => Date.UTC(2026, 6, day) - 8 * HOUR;

/** A day's hourly readings: hour h consumed 100 + 10h kWh. */
const dayOfHours = (start: number): Consumed[] =>
  Array.from({ length: 24 }, (_, h) => ({
    start: start + h * HOUR,
    end: start + (h + 1) * HOUR,
    value: 100 + 10 * h,
  }));

describe('time-of-use cost, known answers', () => {
  it('costs a summer day of hourly readings as worked out by hand', () => {
    // valley h0–7, h23: 1080 + 330 = 1410 kWh × 0.30 =  423.00
    // flat   h8–9, h12–13, h19–22: 370 + 450 + 1220 = 2040 kWh × 0.70 = 1428.00
    // peak   h10, h14, h17–18: 200 + 240 + 550 = 990 kWh × 1.20 = 1188.00
    // sharp  h11, h15–16: 210 + 510 = 720 kWh × 1.50 = 1080.00
    const cost = touCost(dayOfHours(july(15)), electricity, ZONE);
    const byBand = Object.fromEntries(cost.bands.map((b) => [b.band, b]));
    expect(byBand.valley?.consumption).toBeCloseTo(1410, 9);
    expect(byBand.valley?.cost).toBeCloseTo(423, 9);
    expect(byBand.flat?.consumption).toBeCloseTo(2040, 9);
    expect(byBand.flat?.cost).toBeCloseTo(1428, 9);
    expect(byBand.peak?.consumption).toBeCloseTo(990, 9);
    expect(byBand.peak?.cost).toBeCloseTo(1188, 9);
    expect(byBand.sharp?.consumption).toBeCloseTo(720, 9);
    expect(byBand.sharp?.cost).toBeCloseTo(1080, 9);
    expect(cost.consumption).toBeCloseTo(5160, 9);
    expect(cost.amount).toBeCloseTo(4119, 9);
    expect(cost.unpriced).toBe(0);
    expect(cost.currency).toBe('CNY');
    expect(peakShare(cost)).toBeCloseTo(1710 / 5160, 12);
  });

  it('costs a day after the price change at the new prices, and shares an hour cut at 11:30', () => {
    // 16 July: valley h0–7, h23: 1410 kWh × 0.25 = 352.50
    // flat h8–10 (180+190+200) + half of h11 (105) + h19–22 (1220) = 1895 kWh × 0.70 = 1326.50
    // peak other half of h11 (105) + h12–18 (220+…+280 = 1750) = 1855 kWh × 1.20 = 2226.00
    const cost = touCost(dayOfHours(july(16)), electricity, ZONE);
    const byBand = Object.fromEntries(cost.bands.map((b) => [b.band, b]));
    expect(byBand.sharp).toBeUndefined();
    expect(byBand.valley?.cost).toBeCloseTo(352.5, 9);
    expect(byBand.flat?.consumption).toBeCloseTo(1895, 9);
    expect(byBand.flat?.cost).toBeCloseTo(1326.5, 9);
    expect(byBand.peak?.consumption).toBeCloseTo(1855, 9);
    expect(byBand.peak?.cost).toBeCloseTo(2226, 9);
    expect(cost.consumption).toBeCloseTo(5160, 9);
    expect(cost.amount).toBeCloseTo(352.5 + 1326.5 + 2226, 9);
  });

  it('prices nothing before the first tariff took effect, and skips unknown intervals', () => {
    const before = Date.UTC(2025, 11, 31, 12) - 8 * HOUR; // 31 Dec 2025 12:00 local
    const cost = touCost(
      [
        { start: before, end: before + 24 * HOUR, value: 240 }, // half before 1 January, half after
        { start: july(15), end: july(15) + HOUR, value: null },
      ],
      electricity,
      ZONE,
    );
    expect(cost.unpriced).toBeCloseTo(120, 9);
    expect(cost.consumption).toBeCloseTo(120, 9);
  });

  it('prices water by date and weighs carbon by the factor in effect', () => {
    const water = flatCost(
      [
        { start: july(15), end: july(16), value: 10 },
        { start: july(16), end: july(17), value: 10 },
      ],
      tariffs.tariffs.water,
      ZONE,
    );
    expect(water.amount).toBeCloseTo(10 * 4.9 + 10 * 5.2, 9);
    const kg = carbon(dayOfHours(july(15)), tariffs.carbon.electricity, ZONE);
    expect(kg.amount).toBeCloseTo(5160 * 0.5703, 9);
  });
});

describe('time-of-use cost, properties on random histories', () => {
  const start = july(1);
  /** Random intervals through July and August: lengths from a minute to two days, gaps, nulls. */
  const history = fc
    .array(
      fc.record({
        length: fc.integer({ min: 60_000, max: 48 * HOUR }),
        gap: fc.integer({ min: 0, max: 6 * HOUR }),
        value: fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: null, freq: 8 }),
      }),
      { maxLength: 60 },
    )
    .map((parts) => {
      let at = start;
      return parts.map((p) => {
        const interval = { start: at + p.gap, end: at + p.gap + p.length, value: p.value };
        at = interval.end;
        return interval;
      });
    });

  it('periods add up to the total, in consumption and in cost', () => {
    fc.assert(
      fc.property(history, (intervals) => {
        const cost = touCost(intervals, electricity, ZONE);
        const known = intervals.reduce((s, i) => s + (i.value ?? 0), 0);
        expect(cost.consumption + cost.unpriced).toBeCloseTo(known, 6);
        expect(cost.bands.reduce((s, b) => s + b.cost, 0)).toBeCloseTo(cost.amount, 6);
      }),
      { numRuns: 200 },
    );
  });

  it('cutting an interval anywhere, its consumption shared by time, costs the same', () => {
    fc.assert(
      fc.property(history, fc.double({ min: 0.001, max: 0.999, noNaN: true }), (intervals, where) => {
        const cut = intervals.flatMap((i) => {
          if (i.value === null) return [i];
          const at = Math.round(i.start + (i.end - i.start) * where);
          if (at <= i.start || at >= i.end) return [i];
          const share = (i.value * (at - i.start)) / (i.end - i.start);
          return [
            { start: i.start, end: at, value: share },
            { start: at, end: i.end, value: i.value - share },
          ];
        });
        expect(touCost(cut, electricity, ZONE).amount).toBeCloseTo(
          touCost(intervals, electricity, ZONE).amount,
          6,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('time-of-use cost where the clocks change', () => {
  const BERLIN = 'Europe/Berlin';
  /** The summer schedule all year (sharp peaks from 11:00 and 15:00), in a zone with daylight saving. */
  const summer = electricity[0];
  const allYear = summer && {
    ...summer,
    seasons: [
      { months: [...Array(12).keys()].map((m) => m + 1), schedule: summer.seasons[0]?.schedule ?? [] },
    ],
  };

  /** The plain way: each local hour at the price of the period its wall-clock hour starts in. */
  function byHand(hours: Consumed[]): number {
    const schedule = allYear?.seasons[0]?.schedule ?? [];
    return hours.reduce((sum, h) => {
      const wall = DateTime.fromMillis(h.start, { zone: BERLIN }).hour;
      const period = [...schedule].reverse().find((e) => Number(e.from.slice(0, 2)) <= wall);
      return sum + (h.value ?? 0) * (period ? (allYear?.prices[period.band] ?? 0) : 0);
    }, 0);
  }

  it('prices every local hour of the days the clocks go forward and back at its own period', () => {
    if (!allYear) throw new Error('no tariff');
    for (const day of ['2026-03-29', '2026-10-25']) {
      const start = DateTime.fromISO(day, { zone: BERLIN });
      const hours: Consumed[] = [];
      // 23 and 25 hours: every elapsed hour of the local day, each with its own consumption.
      for (let t = start; t < start.plus({ days: 1 }); t = t.plus({ hours: 1 }))
        hours.push({ start: t.toMillis(), end: t.plus({ hours: 1 }).toMillis(), value: 100 + t.hour });
      expect(hours.length).toBe(day === '2026-03-29' ? 23 : 25);
      expect(touCost(hours, [allYear], BERLIN).amount, day).toBeCloseTo(byHand(hours), 9);
    }
  });
});
