/**
 * The dashboard's value, age and time formats (dashboards/app/format.ts), run in node with the
 * little of a browser they read at load (localStorage, navigator, <html lang>): an age is in the
 * page's language ("12 秒", not "12 s"), a time is the plant's, on a 24-hour clock, whatever the
 * zone of the machine showing it.
 */
import { beforeAll, describe, expect, it } from 'vitest';

/** What the test uses of format.ts (imported by path: the server's tsconfig has no DOM types). */
interface Format {
  formatAge(ts: number | null | undefined, now?: number): string;
  formatTime(ts: number | null | undefined): string;
  formatValue(value: number | boolean | null | undefined, unit?: string): string;
}

const PLANT_ZONE = 'Asia/Shanghai';
let format: Format;

beforeAll(async () => {
  // This process's zone is not the plant's: a control-room PC may be set to anything.
  expect(Intl.DateTimeFormat().resolvedOptions().timeZone).not.toBe(PLANT_ZONE);
  const stored = new Map<string, string>([
    ['plantwatch.lang', 'zh'],
    ['plantwatch.zone', PLANT_ZONE],
  ]);
  Object.assign(globalThis, {
    localStorage: {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => stored.set(k, v),
    },
    document: { documentElement: { lang: '' } },
  });
  const path = '../../dashboards/app/format.ts';
  format = (await import(/* @vite-ignore */ path)) as Format;
});

describe('the dashboard in Chinese', () => {
  it('gives ages in Chinese units', () => {
    const now = Date.parse('2026-11-25T06:00:00Z');
    expect(format.formatAge(now - 12_000, now)).toBe('12 秒');
    expect(format.formatAge(now - 3 * 60_000, now)).toBe('3 分钟');
    expect(format.formatAge(now - 2 * 3_600_000, now)).toBe('2 小时');
    expect(format.formatAge(now - 4 * 86_400_000, now)).toBe('4 天');
    expect(format.formatAge(null, now)).toBe('从未');
  });

  it("shows a time on the plant's 24-hour clock, not the zone of the machine", () => {
    const ts = Date.now() - 60_000;
    const plant = new Intl.DateTimeFormat('en-GB', {
      timeZone: PLANT_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(ts);
    const plantDay = new Intl.DateTimeFormat('en-CA', { timeZone: PLANT_ZONE }).format(ts);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: PLANT_ZONE }).format(Date.now());
    // A minute ago is today in the plant unless the plant's midnight just passed.
    if (plantDay === today) expect(format.formatTime(ts)).toBe(plant);
    const lastYear = Date.parse('2025-03-04T17:30:00Z'); // 2025-03-05 01:30 in Shanghai
    expect(format.formatTime(lastYear)).toBe('03-05 01:30');
  });

  it('shows switch states in Chinese', () => {
    expect(format.formatValue(true)).toBe('开');
    expect(format.formatValue(12.345, 'kW')).toBe('12.35 kW');
  });
});
