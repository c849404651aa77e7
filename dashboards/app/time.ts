// Dates and times as the plant's clocks show them: in the plant's time zone (not the browser's:
// a control-room PC or a phone may be set to anything), on a 24-hour clock. The zone comes from
// the gateway (GET /api/site, or any answer that names a `timezone`) and is kept in localStorage
// so a reload shows the right hours before the first answer.

const ZONE_KEY = 'plantwatch.zone';

let zone = localStorage.getItem(ZONE_KEY) || Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The plant's IANA zone, e.g. "Asia/Shanghai". */
export const plantZone = (): string => zone;

/** Takes the plant's zone from the gateway; an unknown name is ignored. */
export function setPlantZone(next: string | undefined | null): void {
  if (!next || next === zone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: next });
  } catch {
    return;
  }
  zone = next;
  localStorage.setItem(ZONE_KEY, next);
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** One formatter per zone, kept: building one costs more than formatting with it. */
function fieldsFormat(): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(zone, format);
  }
  return format;
}

/** An instant's wall-clock fields in the plant's zone, as zero-padded strings. */
export interface PlantFields {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

export function plantFields(ts: number | Date): PlantFields {
  const fields: PlantFields = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
  for (const part of fieldsFormat().formatToParts(ts))
    if (part.type in fields) fields[part.type as keyof PlantFields] = part.value;
  return fields;
}

/** "2026-11-25": the plant's calendar date of an instant. */
export function localDate(ts: number | Date): string {
  const f = plantFields(ts);
  return `${f.year}-${f.month}-${f.day}`;
}

/** "2026-11-25T14:05": the plant's local date-time, as the API reads one. */
export function localMinute(ts: number | Date): string {
  const f = plantFields(ts);
  return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}`;
}

/** "14:05" */
export function clock(ts: number | null | undefined): string {
  if (!ts) return '—';
  const f = plantFields(ts);
  return `${f.hour}:${f.minute}`;
}

/** "14:05:09" */
export function clockSeconds(ts: number | null | undefined): string {
  if (!ts) return '—';
  const f = plantFields(ts);
  return `${f.hour}:${f.minute}:${f.second}`;
}

/** "2026-11-25 14:05": a record is printed and read later, so always with its date. */
export function dateTime(ts: number | null | undefined): string {
  if (!ts) return '—';
  const f = plantFields(ts);
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}`;
}

/** "14:05:09" today (in the plant), "11-24 14:05" another day: for live values and alarms. */
export function formatTime(ts: number | null | undefined, now = Date.now()): string {
  if (!ts) return '—';
  const f = plantFields(ts);
  if (localDate(now) === `${f.year}-${f.month}-${f.day}`) return `${f.hour}:${f.minute}:${f.second}`;
  return `${f.month}-${f.day} ${f.hour}:${f.minute}`;
}

/** A calendar date plus days, on the calendar (no zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "YYYY-MM" plus months. */
export function addMonths(month: string, months: number): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 7);
}

/** The instant a plant-local "YYYY-MM-DDTHH:MM[:SS]" names (the earlier one in a DST overlap). */
export function plantInstant(local: string): number {
  const [date = '', time = '00:00'] = local.split('T');
  const asUtc = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
  // The zone's offset at that wall time: found from the offset at a guess, then corrected once.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - offsetAt(guess);
  return guess;
}

/** The plant zone's offset from UTC at an instant, in ms. */
function offsetAt(ts: number): number {
  const f = plantFields(ts);
  const wall = Date.UTC(+f.year, +f.month - 1, +f.day, +f.hour, +f.minute, +f.second);
  return wall - Math.floor(ts / 1000) * 1000;
}
