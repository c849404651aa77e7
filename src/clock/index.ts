/**
 * Local time in the plant's time zone: shifts, night windows and the times people read in
 * alarms and notifications are all local, whatever zone the gateway's machine runs in.
 */

export interface LocalClock {
  /** "YYYY-MM-DD" */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  seconds: number;
}

const clocks = new Map<string, (at: number) => LocalClock>();

/** Reads an instant as a local date and time of day in an IANA zone (the machine's when none). */
export function localClockOf(timezone?: string): (at: number) => LocalClock {
  const key = timezone ?? '';
  const cached = clocks.get(key);
  if (cached) return cached;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const clock = (at: number): LocalClock => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(at)) parts[part.type] = part.value;
    return {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      minutes: Number(parts.hour) * 60 + Number(parts.minute),
      seconds: Number(parts.second),
    };
  };
  clocks.set(key, clock);
  return clock;
}

/** "HH:MM" of a LocalClock. */
export const hhmm = ({ minutes }: Pick<LocalClock, 'minutes'>): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Minutes since midnight of an "HH:MM" time. */
export const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** "2026-11-25 03:12:09": unambiguous, sortable, readable everywhere. */
export function formatLocal(at: number, timezone?: string): string {
  const clock = localClockOf(timezone)(at);
  return `${clock.date} ${hhmm(clock)}:${String(clock.seconds).padStart(2, '0')}`;
}
