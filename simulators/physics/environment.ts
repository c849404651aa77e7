/**
 * The world the plant lives in: simulated clock, outdoor temperature, occupancy, cooling
 * load and water demand through a hospital's day (never zero: wards run all night).
 */
import { localClockOf } from '../../src/clock/index.js';

export interface Weather {
  meanC: number;
  swingC: number;
}

export interface Environment {
  /** Simulated epoch ms. */
  time: number;
  hour: number;
  outdoorC: number;
  /** 0..1: people in the building (outpatients, visitors, day staff). */
  occupancy: number;
  /** 0..1 of the chiller plant's design capacity. */
  coolingLoad: number;
  /** 0..1 of a building's peak water demand. */
  waterDemand: number;
  /** Grid frequency: one grid, so every meter of the site reads the same (within its resolution). */
  gridHz: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Smooth day curve: 0 at night, 1 between 08:00 and 18:00, ramps in between. */
export function dayShape(hour: number): number {
  if (hour < 6 || hour >= 22) return 0;
  if (hour < 8) return (hour - 6) / 2;
  if (hour < 18) return 1;
  return 1 - (hour - 18) / 4;
}

/** The cooling load never falls below a night base (wards, theatres, IT) nor reaches full design. */
export const COOLING_LOAD_RANGE = [0.15, 0.95] as const;

/** The hospital's water demand at night (wards, ICU, sterilisation), as a fraction of peak. */
export const NIGHT_WATER_DEMAND = 0.08;

/**
 * @param timezone the plant's zone: the hospital's day follows its local clock, whatever zone
 *   the machine running the simulator is set to (the machine's when absent).
 */
export function environmentAt(time: number, weather: Weather, timezone?: string): Environment {
  const local = localClockOf(timezone)(time);
  const hour = local.minutes / 60 + local.seconds / 3600;
  // Warmest at 15:00, coolest at 03:00, on top of the weather of the week.
  const outdoorC =
    weather.meanC + weatherOfTheWeek(time) + weather.swingC * Math.sin((2 * Math.PI * (hour - 9)) / 24);
  const occupancy = dayShape(hour);
  const coolingLoad = clamp(0.25 + 0.035 * (outdoorC - 22) + 0.25 * occupancy, ...COOLING_LOAD_RANGE);
  // Morning wash peak, lunch kitchens, small night base (toilets, ICU, sterilisation).
  const morning = Math.exp(-((hour - 8) ** 2) / 2);
  const waterDemand = clamp(NIGHT_WATER_DEMAND + 0.6 * occupancy + 0.3 * morning, 0.05, 1);
  return { time, hour, outdoorC, occupancy, coolingLoad, waterDemand, gridHz: gridFrequency(time) };
}

const DAY_MS = 86_400_000;

/**
 * Warm spells and cool spells: two slow swings (7.3 and 3.1 days, never past ±3.5 °C) so
 * that daily mean temperatures differ from day to day and a degree-day regression of
 * energy use has something to fit. Deterministic in time, like the grid frequency.
 */
export function weatherOfTheWeek(time: number): number {
  const days = time / DAY_MS;
  return 2.3 * Math.sin((2 * Math.PI * days) / 7.3) + 1.2 * Math.sin((2 * Math.PI * days) / 3.1 + 1);
}

/**
 * The grid wanders a few hundredths of a hertz around 50 Hz (two slow swings, never past
 * ±0.03 Hz): deterministic in time, so every meter and every run agree.
 */
export function gridFrequency(time: number): number {
  const s = time / 1000;
  return 50 + 0.018 * Math.sin((2 * Math.PI * s) / 97) + 0.009 * Math.sin((2 * Math.PI * s) / 13);
}
