/**
 * The group view against a real Mosquitto: campuses publish as a campus gateway does (link with
 * its last will, retained summary, retained alarm states), and the view answers what the group
 * page shows — states, link age, alarms by priority, today's energy per m² and bed, the months
 * against last year — never "normal" for a campus it cannot hear.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupSettings } from '../../src/config/group-schema.js';
import type { CampusSummary } from '../../src/group/index.js';
import { type GroupViewService, startGroupView } from '../../src/group/view.js';
import { silentLogger } from '../../src/log/index.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/wait.js';

let broker: Mosquitto;
const clients: MqttClient[] = [];
const views: GroupViewService[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(views.splice(0).map((v) => v.stop()));
});
afterAll(async () => {
  await broker?.stop();
});

let sites = 0;
/** Fresh site ids per test: retained messages of one test must not reach the next. */
const freshSites = () => {
  sites++;
  return { main: `main${sites}`, east: `east${sites}` };
};

function view(main: string, east: string, silentAfter = 60_000) {
  const settings = groupSettings.parse({
    name: { en: 'City Hospital Group', zh: '市医院集团' },
    silentAfter,
    campuses: [
      { site: main, url: 'http://10.1.0.5:8080/' },
      { site: east, name: { en: 'East Campus', zh: '东院区' }, url: 'http://10.2.0.5:8080' },
    ],
  });
  const v = startGroupView({
    settings,
    broker: { url: broker.url },
    prefix: 'plantwatch',
    timezone: 'Asia/Shanghai',
    clientId: `group-test-${sites}`,
    log: silentLogger(),
  });
  views.push(v);
  return v;
}

async function campusClient(site: string, withWill = true): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    clientId: `campus-${site}`,
    reconnectPeriod: 0,
    ...(withWill
      ? {
          will: {
            topic: `plantwatch/${site}/link`,
            payload: Buffer.from('{"online":false}'),
            qos: 1,
            retain: true,
          },
        }
      : {}),
  });
  clients.push(client);
  await client.publishAsync(`plantwatch/${site}/link`, JSON.stringify({ online: true, at: Date.now() }), {
    qos: 1,
    retain: true,
  });
  return client;
}

const figures = (kwh: number | null, gas: number | null, water: number | null, tce: number | null) => ({
  electricityKwh: kwh,
  gasM3: gas,
  waterM3: water,
  tce,
});

function summary(site: string, overrides: Partial<CampusSummary> = {}): CampusSummary {
  return {
    v: 1,
    site,
    name: site === 'x' ? 'x' : `Campus ${site}`,
    nameZh: '院区',
    gateway: `${site}-gw`,
    at: Date.now(),
    everyMs: 30_000,
    timezone: 'Asia/Shanghai',
    devices: { total: 12, down: 1 },
    areaM2: 20_000,
    beds: 400,
    today: { date: '2026-12-07', asOf: Date.now(), ...figures(8_000, 600, 150, 1.7) },
    months: { asOf: Date.now(), rows: [] },
    ...overrides,
  };
}

const publishRetained = (client: MqttClient, topic: string, payload: unknown) =>
  client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), {
    qos: 1,
    retain: true,
  });

function alarm(id: string, priority: string, state: string, since: number) {
  return {
    id,
    priority,
    state,
    since,
    message: `${id} message`,
    device: id.split('@')[1] ?? 'x',
    rule: id,
    points: [],
  };
}

describe('campus status', () => {
  it('shows each campus with its alarms by priority, the worst first, and today per m² and per bed', async () => {
    const { main, east } = freshSites();
    const campus = await campusClient(main);
    await publishRetained(campus, `plantwatch/${main}/summary`, summary(main));
    const t = Date.now();
    await publishRetained(
      campus,
      `plantwatch/${main}/alarms/low-water@b1`,
      alarm('low-water@b1', 'critical', 'active-unacknowledged', t - 5_000),
    );
    await publishRetained(
      campus,
      `plantwatch/${main}/alarms/flue@b1`,
      alarm('flue@b1', 'medium', 'active-acknowledged', t - 1_000),
    );
    await publishRetained(
      campus,
      `plantwatch/${main}/alarms/trip@p1`,
      alarm('trip@p1', 'high', 'returned-unacknowledged', t - 2_000),
    );
    await publishRetained(
      campus,
      `plantwatch/${main}/alarms/old@p2`,
      alarm('old@p2', 'high', 'normal', t - 9_000),
    );
    // A later view still learns all of it: the broker's retained messages are the group's memory.
    const group = view(main, east);
    const answer = await until('the main campus heard, with its 4 alarm states', () => {
      const s = group.status();
      const m = s.campuses.find((c) => c.site === main);
      return m?.state === 'alarm' && m.activeAlarms.length === 3 ? s : undefined;
    });
    const [mainCampus, eastCampus] = answer.campuses;
    expect(answer.name).toBe('City Hospital Group');
    expect(answer.nameZh).toBe('市医院集团');
    expect(mainCampus).toMatchObject({
      site: main,
      name: `Campus ${main}`,
      url: 'http://10.1.0.5:8080',
      link: { state: 'up' },
      devices: { total: 12, down: 1 },
      alarms: {
        critical: { active: 1, unacknowledged: 1 },
        high: { active: 0, unacknowledged: 1 },
        medium: { active: 1, unacknowledged: 0 },
        low: { active: 0, unacknowledged: 0 },
      },
    });
    expect(mainCampus?.activeAlarms.map((a) => a.id)).toEqual(['low-water@b1', 'trip@p1', 'flue@b1']);
    expect(mainCampus?.activeAlarms[0]?.url).toBe('http://10.1.0.5:8080/#/alarms/low-water%40b1');
    expect(mainCampus?.perM2?.electricityKwh).toBeCloseTo(8_000 / 20_000, 9);
    expect(mainCampus?.perBed?.waterM3).toBeCloseTo(150 / 400, 9);
    expect(mainCampus?.perBed?.tce).toBeCloseTo(1.7 / 400, 9);
    // Never heard: unknown, with the configured name, no figures.
    expect(eastCampus).toMatchObject({
      site: east,
      name: 'East Campus',
      nameZh: '东院区',
      state: 'unknown',
      link: { state: 'never', lastHeard: null },
      today: null,
    });
  });

  it('a campus whose link drops is unknown at once (the broker sends its last will), and back when it returns', async () => {
    const { main, east } = freshSites();
    const campus = await campusClient(east);
    await publishRetained(campus, `plantwatch/${east}/summary`, summary(east));
    const group = view(main, east);
    const eastOf = () => group.status().campuses.find((c) => c.site === east);
    await until('east normal', () => eastOf()?.state === 'normal');
    // A cut link: the socket goes without an MQTT DISCONNECT, as when the WAN fails.
    campus.stream.destroy();
    const cut = await until('east unknown after its link dropped', () =>
      eastOf()?.state === 'unknown' ? eastOf() : undefined,
    );
    expect(cut?.link.state).toBe('down');
    expect(cut?.why).toMatch(/link .* down/);
    expect(cut?.link.lastHeard).toBeTypeOf('number');
    expect(cut?.today?.electricityKwh).toBe(8_000);
    const back = await campusClient(east);
    await publishRetained(back, `plantwatch/${east}/summary`, summary(east));
    await until('east normal again', () => eastOf()?.state === 'normal');
  });

  it('a campus that goes silent is unknown after silentAfter, with the age of what is shown', async () => {
    const { main, east } = freshSites();
    const campus = await campusClient(main);
    await publishRetained(campus, `plantwatch/${main}/summary`, summary(main, { at: Date.now() - 5_000 }));
    const group = view(main, east, 2_000);
    const seen = await until('main unknown', () => {
      const m = group.status().campuses.find((c) => c.site === main);
      return m?.link.state === 'down' ? m : undefined;
    });
    expect(seen?.state).toBe('unknown');
    expect(seen?.why).toMatch(/not heard from for \d+ s/);
    expect(seen?.link.ageMs).toBeGreaterThanOrEqual(5_000);
  });

  it('when the view itself loses the broker, every campus is unknown, whatever it last said', async () => {
    const { main, east } = freshSites();
    const localBroker = await startMosquitto();
    try {
      const campus = await mqtt.connectAsync(localBroker.url, { reconnectPeriod: 0 });
      clients.push(campus);
      await publishRetained(campus, `plantwatch/${main}/summary`, summary(main));
      const group = startGroupView({
        settings: groupSettings.parse({ campuses: [{ site: main }, { site: east }] }),
        broker: { url: localBroker.url },
        prefix: 'plantwatch',
        timezone: 'Asia/Shanghai',
        clientId: 'group-lost-broker',
        log: silentLogger(),
      });
      views.push(group);
      await until('main normal', () => group.status().campuses[0]?.state === 'normal');
      await localBroker.stop();
      const lost = await until('main unknown', () =>
        group.status().broker.connected ? undefined : group.status().campuses[0],
      );
      expect(lost?.state).toBe('unknown');
      expect(lost?.why).toMatch(/not connected to the central broker/);
    } finally {
      await localBroker.stop();
    }
  });

  it('shows a user only the campuses they work for', async () => {
    const { main, east } = freshSites();
    const group = view(main, east);
    expect(group.status([east]).campuses.map((c) => c.site)).toEqual([east]);
    expect(group.status([]).campuses).toEqual([]);
    expect(group.energy(2026, [main]).campuses.map((c) => c.site)).toEqual([main]);
  });

  it('counts and ignores a malformed message, and a summary sent on another campus’s topic', async () => {
    const { main, east } = freshSites();
    const group = view(main, east);
    const campus = await campusClient(main);
    await until('connected', () => group.stats().connected);
    await publishRetained(campus, `plantwatch/${main}/summary`, '{"v":1,"site":');
    await publishRetained(campus, `plantwatch/${east}/summary`, summary(main));
    await publishRetained(campus, `plantwatch/${main}/alarms/x@y`, { id: 'x@y', priority: 'urgent' });
    await until('three malformed', () => group.stats().malformed >= 3);
    await publishRetained(campus, `plantwatch/${main}/summary`, summary(main));
    await until('main normal', () => group.status().campuses[0]?.state === 'normal');
    expect(group.status().campuses[1]?.link.state).toBe('never');
    expect(group.status().campuses[0]?.alarms.high).toEqual({ active: 0, unacknowledged: 0 });
  });
});

describe('monthly group energy', () => {
  it('gives each campus by month against the same month last year, totals year to date, and the group sum', async () => {
    const { main, east } = freshSites();
    const rows = (year: number, scale: number) =>
      Array.from({ length: 12 }, (_, i) => ({
        month: `${year}-${String(i + 1).padStart(2, '0')}`,
        ...figures(1000 * scale * (i + 1), 10 * scale, 100 * scale, scale),
      }));
    const campus = await campusClient(main);
    const year = new Date().getFullYear();
    const thisYear = rows(year, 2).slice(0, new Date().getMonth() + 1);
    await publishRetained(
      campus,
      `plantwatch/${main}/summary`,
      summary(main, { months: { asOf: Date.now(), rows: [...rows(year - 1, 1), ...thisYear] } }),
    );
    const eastCampus = await campusClient(east);
    await publishRetained(
      eastCampus,
      `plantwatch/${east}/summary`,
      summary(east, {
        areaM2: 10_000,
        beds: null,
        months: { asOf: Date.now(), rows: thisYear.map((r) => ({ ...r, gasM3: null })) },
      }),
    );
    const group = view(main, east);
    await until('both heard', () => group.status().campuses.every((c) => c.link.state === 'up'));
    const energy = group.energy(year);
    expect(energy.months).toHaveLength(12);
    const [m, e] = energy.campuses;
    const elapsed = thisYear.length;
    const sum = (n: number) => (n * (n + 1)) / 2;
    expect(m?.months[0]).toMatchObject({
      month: `${year}-01`,
      electricityKwh: 2000,
      lastYear: { electricityKwh: 1000 },
    });
    expect(m?.total.electricityKwh).toBe(2000 * sum(elapsed));
    // Year to date against the same months last year, not the whole of last year.
    expect(m?.lastYearTotal.electricityKwh).toBe(1000 * sum(elapsed));
    expect(m?.total.tce).toBe(2 * elapsed);
    expect(m?.perM2?.electricityKwh).toBeCloseTo((2000 * sum(elapsed)) / 20_000, 9);
    // East has no gas meter and no beds: unknown, not 0.
    expect(e?.total.gasM3).toBeNull();
    expect(e?.perBed).toBeNull();
    expect(e?.lastYearTotal.electricityKwh).toBeNull();
    expect(energy.total.electricityKwh).toBe(2 * 2000 * sum(elapsed));
    expect(energy.total.gasM3).toBe(20 * elapsed);
    expect(energy.lastYearTotal.electricityKwh).toBe(1000 * sum(elapsed));
    // Future months: no figures, never zeros.
    if (elapsed < 12) expect(m?.months[11]?.electricityKwh).toBeNull();
  });
});
