/**
 * The group side: one MQTT client on the group's central broker follows every configured
 * campus's link, summary and retained alarm states, and answers GET /api/group and
 * /api/group/energy from them. It keeps no copy of its own anywhere: a campus's figures are
 * what the campus last published, and the broker's retained messages are the group's memory.
 * A campus whose link is down or silent is unknown (with the age of what is shown), never normal.
 */
import { DateTime } from 'luxon';
import mqtt, { type MqttClient } from 'mqtt';
import type { z } from 'zod';
import {
  type CampusAlarm,
  type CampusEnergy,
  type CampusStatus,
  campusAlarm,
  type GroupEnergy,
  type GroupStatus,
} from '../api-types/group.js';
import type { GroupSettings } from '../config/group-schema.js';
import { sumKnown } from '../energy/index.js';
import type { Logger } from '../log/index.js';
import { PRIORITIES, type Priority, priorityRank } from '../vocabulary/alarms.js';
import type { GroupView } from '../web/group.js';
import { type CampusSummary, campusSummary, linkMessage } from './messages.js';

/** The fields of a retained alarm state (src/alarms AlarmStatus) the group shows: its answer's, but the link. */
const alarmState = campusAlarm.omit({ url: true });
type AlarmState = z.infer<typeof alarmState>;

const ACTIVE = new Set<string>(['active-unacknowledged', 'active-acknowledged']);
const UNACKNOWLEDGED = new Set<string>(['active-unacknowledged', 'returned-unacknowledged']);
const SHOWN = new Set<string>([...ACTIVE, ...UNACKNOWLEDGED]);
const MAX_ALARMS_SHOWN = 50;

interface Campus {
  site: string;
  name?: string;
  nameZh?: string;
  url?: string;
  summary?: CampusSummary;
  /** From the link topic: false after the campus's last will (or a clean stop). */
  online?: boolean;
  alarms: Map<string, AlarmState>;
}

export interface GroupBroker {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

export interface GroupViewOptions {
  settings: GroupSettings;
  broker: GroupBroker;
  prefix: string;
  /** The group's calendar (the serving gateway's energy time zone). */
  timezone: string;
  clientId: string;
  log: Logger;
  now?: () => number;
}

export interface GroupViewStats {
  connected: boolean;
  messages: number;
  malformed: number;
  /** Each campus: its link up or not, and how long ago it was last heard (null: never). */
  campuses: { site: string; up: boolean; ageMs: number | null }[];
}

export interface GroupViewService extends GroupView {
  stats(): GroupViewStats;
  stop(): Promise<void>;
}

export function startGroupView(options: GroupViewOptions): GroupViewService {
  const { settings, prefix, log } = options;
  const now = options.now ?? Date.now;
  const campuses = new Map<string, Campus>(
    settings.campuses.map((c) => [
      c.site,
      {
        site: c.site,
        ...(c.name ? { name: c.name } : {}),
        ...(c.nameZh ? { nameZh: c.nameZh } : {}),
        ...(c.url ? { url: c.url } : {}),
        alarms: new Map(),
      },
    ]),
  );
  const counts = { messages: 0, malformed: 0 };
  const client: MqttClient = mqtt.connect(options.broker.url, {
    username: options.broker.username,
    password: options.broker.password,
    clientId: options.clientId,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
  });
  const topics = [...campuses.keys()].flatMap((site) => [
    `${prefix}/${site}/link`,
    `${prefix}/${site}/summary`,
    `${prefix}/${site}/alarms/#`,
  ]);
  let wasConnected = false;
  client.on('connect', () => {
    log.info(
      { broker: options.broker.url, campuses: campuses.size },
      wasConnected ? 'group view: broker connection restored' : 'group view: connected to the central broker',
    );
    wasConnected = true;
    client.subscribe(topics, { qos: 1 }, (err) => {
      if (err)
        log.error({ err: err.message }, 'group view: subscription refused (does the account may read them?)');
    });
  });
  client.on('offline', () => {
    if (wasConnected)
      log.warn(
        { broker: options.broker.url },
        'group view: central broker lost, every campus unknown until it returns',
      );
  });
  let lastError: string | undefined;
  client.on('error', (err) => {
    if (err.message !== lastError) log.warn({ err: err.message }, 'group view: MQTT error');
    lastError = err.message;
  });
  client.on('message', (topic, payload) => {
    counts.messages++;
    const [, site, kind, ...rest] = topic.slice(prefix.length).split('/');
    const campus = site === undefined ? undefined : campuses.get(site);
    if (!campus) return;
    try {
      take(campus, kind, rest.join('/'), payload);
    } catch (err) {
      if (counts.malformed++ % 100 === 0)
        log.warn(
          { topic, err: (err as Error).message, malformed: counts.malformed },
          'group view: malformed message ignored',
        );
    }
  });

  function take(campus: Campus, kind: string | undefined, id: string, payload: Buffer) {
    if (kind === 'link') {
      campus.online = linkMessage.parse(JSON.parse(payload.toString())).online;
    } else if (kind === 'summary') {
      const summary = campusSummary.parse(JSON.parse(payload.toString()));
      if (summary.site !== campus.site)
        throw new Error(`summary of "${summary.site}" on ${campus.site}'s topic`);
      campus.summary = summary;
    } else if (kind === 'alarms' && id) {
      // An empty retained message clears it.
      if (payload.length === 0) campus.alarms.delete(id);
      else campus.alarms.set(id, alarmState.parse(JSON.parse(payload.toString())));
    }
  }

  const visible = (sites?: readonly string[]) =>
    [...campuses.values()].filter((c) => sites === undefined || sites.includes(c.site));

  function linkOf(campus: Campus, at: number): CampusStatus['link'] & { why?: string } {
    const heard = campus.summary?.at ?? null;
    const ageMs = heard === null ? null : Math.max(0, at - heard);
    if (heard === null) return { state: 'never', lastHeard: null, ageMs: null, why: 'never heard from' };
    if (!client.connected)
      return {
        state: 'down',
        lastHeard: heard,
        ageMs,
        why: 'the group view is not connected to the central broker',
      };
    if (campus.online === false)
      return {
        state: 'down',
        lastHeard: heard,
        ageMs,
        why: "the campus gateway's link to the central broker is down",
      };
    if (ageMs !== null && ageMs > settings.silentAfter)
      return {
        state: 'down',
        lastHeard: heard,
        ageMs,
        why: `not heard from for ${Math.round(ageMs / 1000)} s`,
      };
    return { state: 'up', lastHeard: heard, ageMs };
  }

  function statusOf(campus: Campus, at: number): CampusStatus {
    const { why, ...link } = linkOf(campus, at);
    const alarms = [...campus.alarms.values()];
    const byPriority = Object.fromEntries(
      PRIORITIES.map((p) => [
        p,
        {
          active: alarms.filter((a) => a.priority === p && ACTIVE.has(a.state)).length,
          unacknowledged: alarms.filter((a) => a.priority === p && UNACKNOWLEDGED.has(a.state)).length,
        },
      ]),
    ) as Record<Priority, { active: number; unacknowledged: number }>;
    const shown = alarms
      .filter((a) => SHOWN.has(a.state))
      .sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || b.since - a.since)
      .slice(0, MAX_ALARMS_SHOWN)
      .map(
        (a): CampusAlarm => ({
          ...a,
          ...(campus.url ? { url: `${campus.url}/#/alarms/${encodeURIComponent(a.id)}` } : {}),
        }),
      );
    const summary = campus.summary;
    const today = summary?.today ?? null;
    const areaM2 = summary?.areaM2 ?? null;
    const beds = summary?.beds ?? null;
    const state =
      link.state !== 'up' ? 'unknown' : alarms.some((a) => ACTIVE.has(a.state)) ? 'alarm' : 'normal';
    return {
      site: campus.site,
      name: summary?.name ?? campus.name ?? campus.site,
      ...((summary?.nameZh ?? campus.nameZh) ? { nameZh: summary?.nameZh ?? campus.nameZh } : {}),
      ...(campus.url ? { url: campus.url } : {}),
      state,
      ...(why ? { why } : {}),
      link,
      devices: summary?.devices ?? null,
      alarms: byPriority,
      activeAlarms: shown,
      today,
      areaM2,
      beds,
      perM2: today && areaM2 ? divided(today, areaM2) : null,
      perBed: today && beds ? divided(today, beds) : null,
    };
  }

  function energyOf(campus: Campus, year: number, at: number): GroupEnergy['campuses'][number] {
    const rows = new Map((campus.summary?.months.rows ?? []).map((r) => [r.month, r]));
    const pick = (month: string): CampusEnergy => {
      const row = rows.get(month);
      return row
        ? { electricityKwh: row.electricityKwh, gasM3: row.gasM3, waterM3: row.waterM3, tce: row.tce }
        : empty();
    };
    const thisMonth = DateTime.fromMillis(at, { zone: options.timezone }).toFormat('yyyy-MM');
    const months = monthsOf(year).map((month) => ({
      month,
      ...pick(month),
      lastYear: pick(`${year - 1}${month.slice(4)}`),
    }));
    // Against last year, month for month: the months this year has had so far.
    const elapsed = months.filter((m) => m.month <= thisMonth);
    const total = summed(months);
    const areaM2 = campus.summary?.areaM2 ?? null;
    const beds = campus.summary?.beds ?? null;
    return {
      site: campus.site,
      name: campus.summary?.name ?? campus.name ?? campus.site,
      ...((campus.summary?.nameZh ?? campus.nameZh)
        ? { nameZh: campus.summary?.nameZh ?? campus.nameZh }
        : {}),
      areaM2,
      beds,
      asOf: campus.summary?.months.asOf ?? null,
      stale: linkOf(campus, at).state !== 'up',
      months,
      total,
      lastYearTotal: summed(elapsed.map((m) => m.lastYear)),
      perM2: areaM2 ? divided(total, areaM2) : null,
      perBed: beds ? divided(total, beds) : null,
    };
  }

  return {
    status(sites) {
      const at = now();
      const answer: GroupStatus = {
        name: settings.name,
        ...(settings.nameZh ? { nameZh: settings.nameZh } : {}),
        now: at,
        broker: { connected: client.connected },
        campuses: visible(sites).map((c) => statusOf(c, at)),
      };
      return answer;
    },
    energy(year, sites) {
      const at = now();
      const shown = visible(sites).map((c) => energyOf(c, year, at));
      return {
        year,
        months: monthsOf(year),
        campuses: shown,
        total: summed(shown.map((c) => c.total)),
        lastYearTotal: summed(shown.map((c) => c.lastYearTotal)),
      };
    },
    currentYear: () => DateTime.fromMillis(now(), { zone: options.timezone }).year,
    stats: () => ({
      connected: client.connected,
      ...counts,
      campuses: [...campuses.values()].map((c) => {
        const link = linkOf(c, now());
        return { site: c.site, up: link.state === 'up', ageMs: link.ageMs };
      }),
    }),
    async stop() {
      await client.endAsync(true).catch(() => {});
    },
  };
}

const FIGURES = ['electricityKwh', 'gasM3', 'waterM3', 'tce'] as const;
const empty = (): CampusEnergy => ({ electricityKwh: null, gasM3: null, waterM3: null, tce: null });

const monthsOf = (year: number) =>
  Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);

/** Figure by figure, the sum of what is known (null when nothing is). */
function summed(list: readonly CampusEnergy[]): CampusEnergy {
  const out = empty();
  for (const key of FIGURES) out[key] = sumKnown(list.map((e) => e[key]));
  return out;
}

function divided(e: CampusEnergy, by: number): CampusEnergy {
  const out = empty();
  for (const key of FIGURES) {
    const value = e[key];
    out[key] = value === null ? null : value / by;
  }
  return out;
}
