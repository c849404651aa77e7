/**
 * Savings of a retrofit, verified from the meters: daily consumption over a baseline period
 * before the work and a reporting period after it, normalised per day or by a regression on
 * degree-days or another daily driver, with the uncertainty an energy manager must report.
 * Days with a gap in the readings are left out of both periods and counted, never guessed.
 */
import type { RetrofitSettings } from '../config/energy-schema.js';
import type { PlantConfig } from '../config/index.js';
import type { TimeSeriesStore } from '../storage/index.js';
import { buckets as calendarBuckets, parsePeriodBound } from './calendar.js';
import { consumption } from './consumption.js';
import type { Meter } from './meters.js';
import { type DailyValue, degreeDays, type SavingsResult, verifySavings } from './savings.js';

/** A day counts when readings cover nearly all of it. */
const MIN_DAY_COVERAGE = 0.95;

export interface PeriodDays {
  from: number;
  to: number;
  days: DailyValue[];
  /** Days left out for missing readings (or a missing driver). */
  excluded: string[];
}

export interface RetrofitReport {
  id: string;
  name: string;
  description?: string;
  nameZh?: string;
  descriptionZh?: string;
  meters: string[];
  unit: string;
  normalise: RetrofitSettings['normalise'];
  confidence: number;
  promisedPct?: number;
  baseline: PeriodDays;
  reporting: PeriodDays;
  result: SavingsResult | null;
  /** Why there is no result (too few days, no driver variance...). */
  problem?: string;
  problemZh?: string;
}

/** savings.ts's reasons for no result, in Chinese; undefined for one not listed here. */
export function problemInChinese(problem: string): string | undefined {
  const known: [RegExp, (m: RegExpExecArray) => string][] = [
    [
      /^A baseline needs at least (\d+) days, got (\d+)$/,
      (m) => `基准期至少需要 ${m[1]} 天的数据，现有 ${m[2]} 天`,
    ],
    [/^Baseline mean consumption is 0/, () => '基准期平均用量为 0，无法计算节能量'],
    [/^Day (\S+) has no driver value/, (m) => `${m[1]} 没有线性基准所需的驱动变量值`],
    [
      /^Linear baseline needs a driver on every day; missing on (.*)$/,
      (m) => `线性基准需要每天的驱动变量，缺少：${m[1]}`,
    ],
    [/^Linear baseline needs the driver to vary/, () => '线性基准需要驱动变量有变化，但它每天都相同'],
    [/^Savings need at least one reporting day$/, () => '计算节能量至少需要一个报告期日的数据'],
  ];
  for (const [pattern, say] of known) {
    const match = pattern.exec(problem);
    if (match) return say(match);
  }
  return undefined;
}

async function dailyDriver(
  store: TimeSeriesStore,
  point: string,
  from: number,
  to: number,
  zone: string,
): Promise<Map<string, number>> {
  const days = calendarBuckets(from, to, 'day', zone);
  const means = await Promise.all(
    days.map((d) =>
      store.query({ point, from: d.start, to: d.end, windowMs: d.end - d.start, aggregate: 'mean' }),
    ),
  );
  const byDay = new Map<string, number>();
  days.forEach((d, i) => {
    const value = means[i]?.[0]?.value;
    if (typeof value === 'number') byDay.set(d.label, value);
  });
  return byDay;
}

function driverOf(settings: RetrofitSettings['normalise'], config: PlantConfig) {
  if (settings.by === 'day') return undefined;
  if (settings.by === 'point') return { point: settings.point, transform: (v: number) => v };
  const temperature = settings.temperature ?? config.energy.weather.temperature;
  if (!temperature) return undefined;
  return { point: temperature, transform: (v: number) => degreeDays(v, settings.baseC, settings.kind) };
}

async function periodDays(
  store: TimeSeriesStore,
  config: PlantConfig,
  meters: readonly Meter[],
  retrofit: RetrofitSettings,
  period: { from: number; to: number },
): Promise<PeriodDays> {
  const zone = config.energy.timezone;
  const report = await consumption(
    store,
    meters,
    {
      commodity: meters[0]?.commodity ?? 'electricity',
      ...period,
      resolution: 'day',
      groupBy: 'site',
      meters: retrofit.meters,
    },
    { timezone: zone, maxGapMs: config.energy.maxGap },
  );
  const driver = driverOf(retrofit.normalise, config);
  const drivers = driver ? await dailyDriver(store, driver.point, period.from, period.to, zone) : undefined;
  const days: DailyValue[] = [];
  const excluded: string[] = [];
  report.buckets.forEach((bucket, i) => {
    // A day cut by the period (a period given as a date-time) is not a whole day.
    if (bucket.clipped) return;
    const values = report.rows.map((r) => r.buckets[i]);
    const complete =
      values.length > 0 && values.every((v) => v && v.value !== null && v.coverage >= MIN_DAY_COVERAGE);
    const raw = drivers?.get(bucket.label);
    if (!complete || (driver && raw === undefined)) {
      excluded.push(bucket.label);
      return;
    }
    const total = values.reduce((sum, v) => sum + (v?.value ?? 0), 0);
    days.push({
      day: bucket.label,
      consumption: total,
      ...(driver && raw !== undefined ? { driver: driver.transform(raw) } : {}),
    });
  });
  return { ...period, days, excluded };
}

export async function retrofitReport(
  store: TimeSeriesStore,
  config: PlantConfig,
  allMeters: readonly Meter[],
  retrofit: RetrofitSettings,
  now: number,
): Promise<RetrofitReport> {
  const zone = config.energy.timezone;
  const meters = allMeters.filter((m) => retrofit.meters.includes(m.device));
  const bound = (raw: string) => parsePeriodBound(raw, zone, now);
  const [baseline, reporting] = await Promise.all([
    periodDays(store, config, meters, retrofit, {
      from: bound(retrofit.baseline.from),
      to: bound(retrofit.baseline.to),
    }),
    periodDays(store, config, meters, retrofit, {
      from: bound(retrofit.reporting.from),
      to: bound(retrofit.reporting.to),
    }),
  ]);
  const common = {
    id: retrofit.id,
    name: retrofit.name,
    ...(retrofit.description ? { description: retrofit.description } : {}),
    ...(retrofit.nameZh ? { nameZh: retrofit.nameZh } : {}),
    ...(retrofit.descriptionZh ? { descriptionZh: retrofit.descriptionZh } : {}),
    meters: retrofit.meters,
    unit: meters[0]?.unit ?? '',
    normalise: retrofit.normalise,
    confidence: retrofit.confidence,
    ...(retrofit.promisedPct === undefined ? {} : { promisedPct: retrofit.promisedPct }),
    baseline,
    reporting,
  };
  try {
    const result = verifySavings({
      baseline: baseline.days,
      reporting: reporting.days,
      model: retrofit.normalise.by === 'day' ? 'mean' : 'linear',
      confidence: retrofit.confidence,
    });
    return { ...common, result };
  } catch (err) {
    // Too few complete days, or a driver that never varied: say so instead of a number.
    const problem = (err as Error).message;
    const problemZh = problemInChinese(problem);
    return { ...common, result: null, problem, ...(problemZh ? { problemZh } : {}) };
  }
}
