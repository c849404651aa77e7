/**
 * The duty roster: which shift it is at a given instant in the plant's time zone, who is on
 * duty in a team or an escalation level, and which team answers for an equipment class.
 *
 * Shifts follow the people, not the calendar: a night shift that starts Monday 20:00 is
 * Monday's night until Tuesday 08:00, so its duty date (and the weekday its rota uses) is
 * Monday. A holiday covers its whole duty date: the day shift and the night that starts on it.
 */
import { DateTime } from 'luxon';
import { type LocalClock, localClockOf, minutesOf } from '../clock/index.js';
import type { Duty, NotifySettings, Rota, TeamSettings, Weekday } from '../config/notify-schema.js';
import { WEEKDAYS } from '../config/notify-schema.js';
import type { Recipient } from './types.js';

export type Shift = 'day' | 'night' | 'holiday';

export interface ShiftInfo {
  shift: Shift;
  /** Whether it is day or night by the clock (a holiday has both). */
  period: 'day' | 'night';
  /** Local date the shift started on, "YYYY-MM-DD". */
  dutyDate: string;
  /** Weekday of the duty date: the one weekday rotas use. */
  weekday: Weekday;
}

export interface TeamRoute {
  id: string;
  name: string;
  /** The team's chat-group webhook id, if it has one. */
  webhook?: string;
  /** True when no team lists the equipment class and the first team stands in. */
  fallback: boolean;
}

function dayBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()] as Weekday;
}

function peopleOn(value: Rota, weekday: Weekday): string[] {
  if (value.every((entry) => typeof entry === 'string')) return value as string[];
  for (const entry of value) {
    if (typeof entry !== 'string' && entry.days.includes(weekday)) return entry.people;
  }
  return [];
}

/** The rota that applies to a shift: holiday if given, then the day/night one, then `always`. */
function rotaFor(duty: Duty, info: ShiftInfo): Rota | undefined {
  const normal = duty[info.period] ?? duty.always;
  return info.shift === 'holiday' ? (duty.holiday ?? normal) : normal;
}

/** A person or a team as the dashboard names them: the Chinese name too, when configured. */
interface Named {
  id: string;
  name: string;
  nameZh?: string;
}

export interface DutySummary extends ShiftInfo {
  timezone: string;
  teams: (Named & { equipment: readonly string[]; onDuty: Named[] })[];
  levels: { level: string; onDuty: Named[] }[];
}

export class DutyRoster {
  readonly timezone: string;
  private readonly clock: (at: number) => LocalClock;
  private readonly dayStart: number;
  private readonly dayEnd: number;
  private readonly holidays: ReadonlySet<string>;
  private readonly people: ReadonlyMap<string, Recipient>;
  private readonly teams: ReadonlyMap<string, TeamSettings>;
  private readonly byEquipment: ReadonlyMap<string, TeamSettings>;
  private readonly levels: Readonly<Record<string, Duty>>;
  private readonly firstTeam: TeamSettings | undefined;

  constructor(settings: NotifySettings) {
    this.timezone = settings.timezone;
    this.clock = localClockOf(settings.timezone);
    this.dayStart = minutesOf(settings.shifts.day.start);
    this.dayEnd = minutesOf(settings.shifts.day.end);
    this.holidays = new Set(settings.holidays);
    this.people = new Map(
      settings.people.map((p) => [
        p.id,
        {
          id: p.id,
          name: p.name,
          ...(p.nameZh ? { nameZh: p.nameZh } : {}),
          ...(p.email ? { email: p.email } : {}),
          lang: p.lang ?? settings.lang,
        },
      ]),
    );
    this.teams = new Map(settings.teams.map((t) => [t.id, t]));
    this.byEquipment = new Map(settings.teams.flatMap((t) => t.equipment.map((cls) => [cls, t] as const)));
    this.levels = settings.levels;
    this.firstTeam = settings.teams[0];
  }

  shiftAt(at: number): ShiftInfo {
    const { date, minutes } = this.clock(at);
    const isDay = minutes >= this.dayStart && minutes < this.dayEnd;
    const dutyDate = isDay || minutes >= this.dayEnd ? date : dayBefore(date);
    const period = isDay ? 'day' : 'night';
    const shift = this.holidays.has(dutyDate) ? 'holiday' : period;
    return { shift, period, dutyDate, weekday: weekdayOf(dutyDate) };
  }

  /** The shift of `dutyDate` (day or night), as instants: what a shift's records cover. */
  shiftWindow(dutyDate: string, period: 'day' | 'night'): ShiftInfo & { from: number; to: number } {
    const at = (date: string, minutes: number) =>
      DateTime.fromISO(date, { zone: this.timezone }).plus({ minutes }).toMillis();
    const next = DateTime.fromISO(dutyDate).plus({ days: 1 }).toISODate() as string;
    const window =
      period === 'day'
        ? { from: at(dutyDate, this.dayStart), to: at(dutyDate, this.dayEnd) }
        : { from: at(dutyDate, this.dayEnd), to: at(next, this.dayStart) };
    return { ...this.shiftAt(window.from), ...window };
  }

  /** The shift going on at `at`, with its start and end. */
  shiftOf(at: number): ShiftInfo & { from: number; to: number } {
    const info = this.shiftAt(at);
    return this.shiftWindow(info.dutyDate, info.period);
  }

  hasTeam(id: string): boolean {
    return this.teams.has(id);
  }

  /** The team for an equipment class; the first team when none lists it; undefined without teams. */
  teamFor(equipment: string): TeamRoute | undefined {
    const listed = this.byEquipment.get(equipment);
    const team = listed ?? this.firstTeam;
    if (!team) return undefined;
    return {
      id: team.id,
      name: team.name,
      ...(team.webhook ? { webhook: team.webhook } : {}),
      fallback: !listed,
    };
  }

  onDuty(team: string, at: number): Recipient[] {
    const found = this.teams.get(team);
    return found ? this.dutyPeople(found, at) : [];
  }

  /** People of an escalation level on duty at `at`. */
  level(name: string, at: number): Recipient[] {
    const found = Object.hasOwn(this.levels, name) ? this.levels[name] : undefined;
    return found ? this.dutyPeople(found, at) : [];
  }

  /** Who is on duty at `at`, team by team and level by level: what the dashboard shows. */
  summary(at: number): DutySummary {
    const names = (people: Recipient[]) =>
      people.map(({ id, name, nameZh }) => ({ id, name, ...(nameZh ? { nameZh } : {}) }));
    return {
      ...this.shiftAt(at),
      timezone: this.timezone,
      teams: [...this.teams.values()].map((t) => ({
        id: t.id,
        name: t.name,
        ...(t.nameZh ? { nameZh: t.nameZh } : {}),
        equipment: t.equipment,
        onDuty: names(this.dutyPeople(t, at)),
      })),
      levels: Object.keys(this.levels).map((level) => ({ level, onDuty: names(this.level(level, at)) })),
    };
  }

  private dutyPeople(duty: Duty, at: number): Recipient[] {
    const info = this.shiftAt(at);
    const value = rotaFor(duty, info);
    if (!value) return [];
    return peopleOn(value, info.weekday).flatMap((id) => {
      const person = this.people.get(id);
      return person ? [person] : [];
    });
  }
}
