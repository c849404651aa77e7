/**
 * The simulated hospital lives by the plant's local clock (config.energy.timezone, the duty
 * roster's zone), not the test machine's: tests say "15:00" in that zone.
 */
import { DateTime } from 'luxon';

export interface Zoned {
  energy: { timezone: string };
}

/** Epoch ms of a local ISO date-time such as "2026-07-15T15:00" in the plant's zone. */
export const plantTime = (config: Zoned, iso: string): number =>
  DateTime.fromISO(iso, { zone: config.energy.timezone }).toMillis();

/** The plant's local hour of an instant. */
export const plantHour = (config: Zoned, ts: number): number =>
  DateTime.fromMillis(ts, { zone: config.energy.timezone }).hour;
