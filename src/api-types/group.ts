// The hospital group's view (src/group): every campus on one page — its status and link, its
// active alarms by priority, today's energy, per m² and per bed — and the monthly group energy
// table. Read from what each campus gateway publishes on the group's central MQTT broker; a
// user scoped to some campuses sees those only.
import { z } from 'zod';
import { PRIORITIES } from '../vocabulary/alarms.js';
import { alarmState, priority } from './alarms.js';
import { route } from './route.js';

const kwh = z.number().nullable().describe('kWh; null: no reading tells (not 0)');
const m3 = z.number().nullable().describe('m³; null: no reading tells (not 0)');

/** One campus's electricity, gas and water (and their tce) over a period. */
export const campusEnergy = z
  .object({
    electricityKwh: kwh,
    gasM3: m3,
    waterM3: m3,
    tce: z.number().nullable().describe('Electricity and gas in tonnes of standard coal equivalent'),
  })
  .meta({ id: 'CampusEnergy' });
export type CampusEnergy = z.infer<typeof campusEnergy>;

export const CAMPUS_STATES = ['normal', 'alarm', 'unknown'] as const;
export type CampusState = (typeof CAMPUS_STATES)[number];

export const LINK_STATES = ['up', 'down', 'never'] as const;

const alarmCount = z.object({
  active: z.number().int().describe('Active, acknowledged or not'),
  unacknowledged: z.number().int().describe('Active or returned, not yet acknowledged'),
});

export const campusAlarm = z
  .object({
    id: z.string(),
    priority,
    state: alarmState,
    message: z.string(),
    messageZh: z.string().optional(),
    device: z.string().optional(),
    deviceName: z.string().optional(),
    deviceNameZh: z.string().optional(),
    roomName: z.string().optional(),
    roomNameZh: z.string().optional(),
    since: z.number().describe('Epoch ms of its last transition'),
    url: z.string().optional().describe("The alarm on the campus's own dashboard"),
  })
  .meta({ id: 'CampusAlarm' });
export type CampusAlarm = z.infer<typeof campusAlarm>;

export const campusStatus = z
  .object({
    site: z.string(),
    name: z.string(),
    nameZh: z.string().optional(),
    url: z.string().optional().describe("The campus's own dashboard"),
    state: z.enum(CAMPUS_STATES).describe('unknown whenever its link is down or silent: never normal then'),
    why: z.string().optional().describe('Why the state is unknown'),
    link: z.object({
      state: z.enum(LINK_STATES),
      lastHeard: z.number().nullable().describe('Epoch ms the campus was last heard from'),
      ageMs: z.number().nullable(),
    }),
    devices: z.object({ total: z.number().int(), down: z.number().int() }).nullable(),
    alarms: z.object(
      Object.fromEntries(PRIORITIES.map((p) => [p, alarmCount])) as Record<
        (typeof PRIORITIES)[number],
        typeof alarmCount
      >,
    ),
    activeAlarms: z.array(campusAlarm).describe('Most urgent first, at most 50'),
    today: z
      .object({ date: z.string(), asOf: z.number() })
      .extend(campusEnergy.shape)
      .nullable()
      .describe("Today's energy so far, as the campus computes it for its own pages"),
    areaM2: z.number().nullable(),
    beds: z.number().nullable(),
    perM2: campusEnergy.nullable(),
    perBed: campusEnergy.nullable(),
  })
  .meta({ id: 'CampusStatus' });
export type CampusStatus = z.infer<typeof campusStatus>;

export const groupStatus = z
  .object({
    name: z.string(),
    nameZh: z.string().optional(),
    now: z.number(),
    broker: z.object({ connected: z.boolean() }),
    campuses: z.array(campusStatus),
  })
  .meta({ id: 'GroupStatus', description: 'Every campus the user may see' });
export type GroupStatus = z.infer<typeof groupStatus>;

export const groupEnergyMonth = campusEnergy
  .extend({
    month: z.string().describe('"YYYY-MM"'),
    lastYear: campusEnergy.describe('The same month a year before'),
  })
  .meta({ id: 'GroupEnergyMonth' });

export const groupEnergy = z
  .object({
    year: z.number().int(),
    months: z.array(z.string()),
    campuses: z.array(
      z.object({
        site: z.string(),
        name: z.string(),
        nameZh: z.string().optional(),
        areaM2: z.number().nullable(),
        beds: z.number().nullable(),
        asOf: z.number().nullable().describe('When the campus last computed its months'),
        stale: z.boolean().describe('The link is down: the figures are as of asOf'),
        months: z.array(groupEnergyMonth),
        total: campusEnergy,
        lastYearTotal: campusEnergy,
        perM2: campusEnergy.nullable(),
        perBed: campusEnergy.nullable(),
      }),
    ),
    total: campusEnergy.describe('The campuses shown, summed'),
    lastYearTotal: campusEnergy,
  })
  .meta({ id: 'GroupEnergy', description: 'Each campus by month: kWh, m³ and tce, against last year' });
export type GroupEnergy = z.infer<typeof groupEnergy>;

export const groupRoute = route({
  method: 'get',
  path: '/api/group',
  summary: 'Every campus of the group the user may see: status, link age, alarms, today’s energy',
  access: 'signed-in',
  response: groupStatus,
});

export const groupEnergyRoute = route({
  method: 'get',
  path: '/api/group/energy',
  summary: 'The group energy table: each campus by month in kWh, m³ and tce, against last year',
  access: 'signed-in',
  query: z.object({
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    format: z.enum(['json', 'csv']).optional(),
  }),
  response: groupEnergy,
  produces: ['text/csv'],
});

export const groupRoutes = [groupRoute, groupEnergyRoute];
