/**
 * The hospital group end to end, on the engines a group already runs: a real Mosquitto as the
 * central broker and a real influxd as the central InfluxDB (one database per campus). Two
 * campus gateways — the main hospital (the demo's plant, serving the group view) and the east
 * campus (config/east/) — each poll their simulated plant; the east campus reaches the centre
 * through a link the test cuts and restores, as a WAN fails: the group then shows east as
 * unknown with its age (never normal), east's values spool and arrive when the link returns.
 * The group's figures are each campus's own: they add up to the campuses' own energy pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../auth/harness.js';
import { type Campus, type GroupRig, startGroupRig } from '../helpers/group-rig.js';
import { type Influxd, startInfluxd } from '../helpers/influxd.js';
import type { TcpLink } from '../helpers/tcp-link.js';
import { until } from '../helpers/wait.js';
import { type Json, jsonRequest } from '../helpers/web.js';

let influxd: Influxd;
let rig: GroupRig;
let eastMqtt: TcpLink;
let eastInflux: TcpLink;
let main: Campus & { cookie: string };
let east: Campus & { cookie: string };

async function signedIn(url: string, username: string): Promise<string> {
  const { cookie } = await login(url, username, `${username}-demo`);
  if (!cookie) throw new Error(`${username} could not sign in at ${url}`);
  return cookie;
}

beforeAll(async () => {
  influxd = await startInfluxd();
  rig = await startGroupRig({ influxd });
  [eastMqtt, eastInflux] = rig.eastLinks as [TcpLink, TcpLink];
  main = { ...rig.main, cookie: await signedIn(rig.main.gateway.web.url, 'manager') };
  east = { ...rig.east, cookie: await signedIn(rig.east.gateway.web.url, 'manager') };
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  await influxd?.stop();
}, 60_000);

const group = async (cookie = main.cookie): Promise<Json> =>
  (await jsonRequest(`${main.gateway.web.url}/api/group`, { cookie })).body;
/** Minutes since midnight in the campuses' zone (Asia/Shanghai, UTC+8 all year). */
const minutesIntoDay = () => (Date.now() / 60_000 + 8 * 60) % (24 * 60);
const campusOf = (answer: Json, site: string) => answer.campuses.find((c: Json) => c.site === site);

describe('the group view over two campus gateways', { timeout: 90_000 }, () => {
  it('shows both campuses up, with their devices, alarms and today’s energy', async () => {
    const answer = await until(
      'both campuses heard, with electricity today',
      async () => {
        const a = await group();
        // Just after the campuses' midnight a day has no two readings yet: then a figure is enough.
        const counted = (c: Json) => (minutesIntoDay() < 10 ? c.today !== null : c.today?.electricityKwh > 0);
        return a.campuses.every((c: Json) => c.link.state === 'up' && counted(c)) ? a : undefined;
      },
      60_000,
      500,
    );
    expect(answer.campuses.map((c: Json) => c.site)).toEqual(['main', 'east']);
    const eastCampus = campusOf(answer, 'east');
    expect(eastCampus).toMatchObject({ name: 'East Campus', nameZh: '东院区', url: east.gateway.web.url });
    expect(eastCampus.state).not.toBe('unknown');
    expect(eastCampus.devices.total).toBe(east.gateway.modbus.devices().length);
    expect(eastCampus.areaM2).toBeGreaterThan(0);
    expect(eastCampus.perM2.electricityKwh).toBeCloseTo(
      eastCampus.today.electricityKwh / eastCampus.areaM2,
      9,
    );
    if (minutesIntoDay() >= 10) expect(campusOf(answer, 'main').today.gasM3).toBeGreaterThan(0);
  });

  it('a branch electrician sees only their campus; the main hospital’s pages refuse them', async () => {
    const cookie = await signedIn(main.gateway.web.url, 'east-electrician');
    const answer = await group(cookie);
    expect(answer.campuses.map((c: Json) => c.site)).toEqual(['east']);
    const energy = await jsonRequest(`${main.gateway.web.url}/api/group/energy`, { cookie });
    expect(energy.body.campuses.map((c: Json) => c.site)).toEqual(['east']);
    expect((await jsonRequest(`${main.gateway.web.url}/api/points`, { cookie })).status).toBe(403);
    expect((await jsonRequest(`${main.gateway.web.url}/api/alarms`, { cookie })).status).toBe(403);
  });

  it('an alarm at the east campus shows in the group with a link into the campus', async () => {
    const lift = 'e-lift1';
    east.simulator.faults.inject(lift, { type: 'trapped' });
    try {
      const alarm = await until(
        'the trapped passenger in the group view',
        async () => campusOf(await group(), 'east')?.activeAlarms.find((a: Json) => a.device === lift),
        30_000,
        300,
      );
      expect(alarm.priority).toBe('critical');
      expect(alarm.url).toBe(`${east.gateway.web.url}/#/alarms/${encodeURIComponent(alarm.id)}`);
      const eastCampus = campusOf(await group(), 'east');
      expect(eastCampus.state).toBe('alarm');
      expect(eastCampus.alarms.critical.active).toBeGreaterThanOrEqual(1);
      // The campus's own alarm list has it, in the same state.
      const own = await jsonRequest(`${east.gateway.web.url}/api/alarms`, { cookie: east.cookie });
      expect(own.body.find((a: Json) => a.id === alarm.id)?.state).toBe(alarm.state);
    } finally {
      east.simulator.faults.clear(lift, 'trapped');
    }
  });

  it('a cut link shows the campus unknown with its age; its values spool and arrive when the link returns', async () => {
    const point = 'e-dr1-incomer/power_kw';
    eastMqtt.cut();
    eastInflux.cut();
    const cutAt = Date.now();
    const cut = await until(
      'east unknown',
      async () => {
        const c = campusOf(await group(), 'east');
        return c?.state === 'unknown' ? c : undefined;
      },
      15_000,
      200,
    );
    expect(cut.link.state).toBe('down');
    expect(cut.why).toMatch(/link/);
    expect(campusOf(await group(), 'main').link.state).toBe('up');
    // Its age grows while the link is down; its last figures stay, as of their time.
    await new Promise((r) => setTimeout(r, 2_500));
    const later = campusOf(await group(), 'east');
    expect(later.state).toBe('unknown');
    expect(later.link.ageMs).toBeGreaterThanOrEqual(2_500);
    expect(later.today).toEqual(cut.today);
    // The campus runs on: its own dashboard still answers, its store spools.
    await until(
      'east spooling',
      async () => (await jsonRequest(`${east.gateway.web.url}/api/health`)).body.storage?.spooledPoints > 0,
      20_000,
      300,
    );
    const restoredAt = Date.now();
    eastMqtt.restore();
    eastInflux.restore();
    await until(
      'east up again',
      async () => campusOf(await group(), 'east')?.link.state === 'up',
      20_000,
      200,
    );
    const [device, name] = point.split('/');
    const written = await until(
      'the cut-time readings in the central influxd',
      async () => {
        const answer = await influxd.query(
          `SELECT count("value") FROM "raw"./.*/ WHERE "device" = '${device}' AND "point" = '${name}' AND time >= ${cutAt}ms AND time < ${restoredAt}ms`,
          { db: 'plantwatch_east' },
        );
        const n = Number(answer.body.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
        return n > 0 ? n : undefined;
      },
      30_000,
      500,
    );
    expect(written).toBeGreaterThan(0);
  });

  it('the group’s figures are the campuses’ own: today and the month add up to their energy pages', async () => {
    // Whatever the test before did: the link is up.
    eastMqtt.restore();
    eastInflux.restore();
    // Still plants: no reading lands after the summaries the comparison uses.
    await Promise.all([main.simulator.stop(), east.simulator.stop()]);
    await new Promise((r) => setTimeout(r, 1_500));
    const sinceStill = Date.now();
    const answer = await until(
      'summaries made after the plants went still',
      async () => {
        const a = await group();
        return a.campuses.every((c: Json) => c.today?.asOf > sinceStill) ? a : undefined;
      },
      20_000,
      300,
    );
    for (const [site, gateway, cookie] of [
      ['main', main.gateway, main.cookie],
      ['east', east.gateway, east.cookie],
    ] as const) {
      const campus = campusOf(answer, site);
      const day = new Date(`${campus.today.date}T00:00:00+08:00`).getTime();
      for (const [commodity, figure] of [
        ['electricity', 'electricityKwh'],
        ['water', 'waterM3'],
        ['gas', 'gasM3'],
      ] as const) {
        const own = await jsonRequest(
          `${gateway.web.url}/api/energy/consumption?commodity=${commodity}&groupBy=site&resolution=day&from=${day}&to=${campus.today.asOf}`,
          { cookie },
        );
        expect(own.status, `${site} ${commodity}`).toBe(200);
        expect(campus.today[figure], `${site} ${commodity} today`).toBe(own.body.total);
      }
    }
    const energy = (await jsonRequest(`${main.gateway.web.url}/api/group/energy`, { cookie: main.cookie }))
      .body;
    const month = energy.months.find((m: string) => m === answer.campuses[0].today.date.slice(0, 7));
    const kwh = (site: string) =>
      energy.campuses.find((c: Json) => c.site === site).months.find((m: Json) => m.month === month)
        .electricityKwh;
    expect(kwh('main')).toBeGreaterThan(0);
    expect(kwh('east')).toBeGreaterThan(0);
    expect(energy.total.electricityKwh).toBeCloseTo(
      energy.campuses.reduce((sum: number, c: Json) => sum + (c.total.electricityKwh ?? 0), 0),
      6,
    );
    const csv = await fetch(`${main.gateway.web.url}/api/group/energy?format=csv`, {
      headers: { cookie: main.cookie },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text).toContain(`east,东院区,${month},`);
    expect(text).toContain('group,集团合计');
    // Each campus's year per m² and per bed, as the page shows them.
    const eastYear = energy.campuses.find((c: Json) => c.site === 'east');
    const perM2 = text.split('\n').find((line) => line.startsWith(`east,东院区,${energy.year} per m²,`));
    expect(Number(perM2?.split(',')[3])).toBeCloseTo(eastYear.perM2.electricityKwh, 2); // the CSV keeps 3 decimals
  });
});
