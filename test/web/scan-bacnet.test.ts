/**
 * BACnet/IP scans from the admin page, over HTTP: the gateway's BACnet service holds port "lab"
 * open (one configured device on it), simulated devices answer on 127.0.0.1 each on a UDP port
 * of its own (host-plant.ts: unicast only, so the scan names their addresses). An admin scans
 * the port on the gateway's own socket, follows it to done with the devices read and their
 * object counts, and downloads the devices draft and the profile draft. Bounded input (400 with
 * the field named), admins only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedBacnetDevice } from '../../simulators/bacnet/device.js';
import { type BacnetService, startBacnet } from '../../src/acquisition/bacnet/index.js';
import type { ScanJobJson, ScansAnswer } from '../../src/api-types/scan.js';
import type { PlantConfig } from '../../src/config/index.js';
import {
  AHU_OBJECTS,
  freeUdpPort,
  labConfig,
  log,
  PORT_ID,
  recordingBus,
  startSimulator,
} from '../acquisition/bacnet/host-plant.js';
import { demoWebServer, type LogLine, login } from '../auth/harness.js';
import { until } from '../helpers/wait.js';

type Server = Awaited<ReturnType<typeof demoWebServer>>;

const sims: SimulatedBacnetDevice[] = [];
let service: BacnetService;
let config: PlantConfig;
let server: Server;
let logLines: LogLine[];
/** An address where no device answers. */
let silent: string;
const cookies = { admin: '', electrician: '' };

beforeAll(async () => {
  for (const instance of [2001, 2002])
    sims.push(await startSimulator({ instance, vendorName: 'Acme Controls', modelName: 'AHU-7' }));
  silent = `127.0.0.1:${await freeUdpPort()}`;
  config = labConfig({
    gatewayPort: await freeUdpPort(),
    apduTimeout: 400,
    profiles: [
      {
        id: 'ahu',
        name: 'AHU',
        equipment: 'air-handling-unit',
        protocol: 'bacnet',
        points: [{ name: 'supply_temp', object: 'AI1' }],
      },
    ],
    // One device configured on the port, so that the gateway opens it.
    devices: [{ id: 'ahu-1', profile: 'ahu', instance: 2001, address: sims[0]?.address as string }],
  });
  service = await startBacnet({ config, bus: recordingBus().bus, log });
  server = await demoWebServer({
    scans: {
      lines: [],
      polledLines: () => [],
      bacnet: {
        ports: config.gateway.bacnet?.ports ?? [],
        clientOf: (id) => service.clientOf(id),
        takenDeviceIds: () => config.devices.map((device) => device.id),
        takenProfileIds: () => [...config.profiles.keys()],
      },
    },
  });
  logLines = server.lines;
  for (const [username, password] of [
    ['admin', 'admin-demo'],
    ['electrician', 'electrician-demo'],
  ] as const) {
    const { cookie } = await login(server.web.url, username, password);
    if (!cookie) throw new Error(`demo account ${username} could not log in`);
    cookies[username] = cookie;
  }
});
afterAll(async () => {
  await server?.stop();
  await service?.stop();
  for (const sim of sims) sim.close();
});
beforeEach(() => {
  logLines.length = 0;
});

// biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes; each test asserts the one it expects.
type Json = any;

async function api(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  who: keyof typeof cookies = 'admin',
): Promise<{ status: number; body: Json; text: string }> {
  const res = await fetch(`${server.web.url}${path}`, {
    method,
    headers: {
      cookie: cookies[who],
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Json = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A draft file: YAML, kept as text.
  }
  return { status: res.status, body: parsed, text };
}

async function finished(id: string): Promise<ScanJobJson> {
  return until(
    `scan ${id} to end`,
    async () => {
      const { body } = await api('GET', `/api/config/scans/${id}`);
      return (body as ScanJobJson).state === 'running' ? undefined : (body as ScanJobJson);
    },
    15_000,
    50,
  );
}

const scan = (extra: object = {}) => ({
  protocol: 'bacnet',
  where: PORT_ID,
  addresses: sims.map((sim) => sim.address),
  waitMs: 300,
  delayMs: 0,
  ...extra,
});

describe('a BACnet/IP scan from the admin page', () => {
  it('offers the configured port, open in the gateway', async () => {
    const { status, body } = await api('GET', '/api/config/scans');
    expect(status).toBe(200);
    const port = config.gateway.bacnet?.ports[0];
    expect((body as ScansAnswer).lines).toEqual([
      {
        id: PORT_ID,
        protocol: 'bacnet',
        transport: 'bacnet-ip',
        endpoint: `127.0.0.1:${port?.udpPort}`,
        refused: null,
      },
    ]);
  });

  it("scans on the gateway's socket: the devices read with their object counts, the drafts to download", async () => {
    const portRequests = () => {
      const { readProperty = 0, readPropertyMultiple = 0 } = service.stats().ports[0]?.requests ?? {};
      return readProperty + readPropertyMultiple;
    };
    const before = portRequests();
    const started = await api(
      'POST',
      '/api/config/scans',
      scan({ addresses: [...scan().addresses, silent] }),
    );
    expect(started.status, started.text).toBe(202);
    const job = started.body as ScanJobJson;
    expect(job).toMatchObject({
      protocol: 'bacnet',
      where: PORT_ID,
      transport: 'bacnet-ip',
      line: PORT_ID,
      units: { from: 0, to: 4_194_302 },
      state: 'running',
      startedBy: 'admin',
    });
    const done = await finished(job.id);
    expect(done.state, done.error ?? '').toBe('done');
    // The scan's reads went through the port's queue beside the polls (invoke ids the polls are
    // not awaiting): counted there, and the polled device was never left unanswered.
    expect(portRequests() - before).toBeGreaterThanOrEqual(6);
    expect(service.devices().map(({ state, timeouts }) => ({ state, timeouts }))).toEqual([
      { state: 'ok', timeouts: 0 },
    ]);
    expect({ probed: done.probed, total: done.total }).toEqual({ probed: 2, total: 2 });
    expect(done.found).toEqual(
      sims.map((sim) => ({
        unit: sim.instance,
        answered: 'read-property-multiple',
        vendor: 'Acme Controls',
        product: 'AHU-7',
        revision: null,
        missing: null,
        address: sim.address,
        name: `AHU ${sim.instance}`,
        objects: AHU_OBJECTS.length,
        objectCount: AHU_OBJECTS.length + 1,
      })),
    );
    expect(done.warning).toContain(`not read: ${silent}`);
    expect(done.files[0]).toBe(`devices/${PORT_ID}-scanned.yaml`);
    const profileFile = done.files.find((file) => file.startsWith('profiles/'));
    expect(profileFile).toBeDefined();

    const devices = await api(
      'GET',
      `/api/config/scans/${job.id}/draft?file=devices/${PORT_ID}-scanned.yaml`,
    );
    expect(devices.status).toBe(200);
    for (const sim of sims) {
      expect(devices.text).toContain(`instance: ${sim.instance}`);
      expect(devices.text).toContain(sim.address);
    }
    expect(devices.text).toContain(`a scan on the admin page (by admin`);
    // The configured device's id is taken: the draft's ids are others.
    expect(devices.text).not.toMatch(/^\s*- id: ahu-1$/m);
    const profile = await api('GET', `/api/config/scans/${job.id}/draft?file=${profileFile}`);
    expect(profile.status).toBe(200);
    for (const object of AHU_OBJECTS) expect(profile.text).toContain(object.name as string);
    expect(profile.text).toContain('protocol: bacnet');

    const messages = logLines.map((line) => String(line.msg));
    expect(messages.some((m) => m.startsWith(`admin: scan ${job.id} of ${PORT_ID}`))).toBe(true);
  });

  it('keeps to the instance range asked for', async () => {
    const started = await api('POST', '/api/config/scans', scan({ instances: '2002-2999' }));
    expect(started.status, started.text).toBe(202);
    expect(started.body.units).toEqual({ from: 2002, to: 2999 });
    const done = await finished(started.body.id);
    expect(done.found.map((device) => device.unit)).toEqual([2002]);
  });

  it('refuses bad input with the field named (400)', async () => {
    const cases: [object, RegExp][] = [
      [{ where: 'nope' }, /^where: "nope" is no configured BACnet\/IP port \(one of lab\)/],
      [{ where: '' }, /^where: /],
      [{ instances: '5-4194303' }, /^instances: .*0 to 4194302/],
      [{ instances: '9-3' }, /^instances: /],
      [{ instances: 'all' }, /^instances: /],
      [{ addresses: ['300.1.1.1'] }, /^addresses: 300\.1\.1\.1: an IPv4 address/],
      [{ addresses: ['10.0.0.1:70000'] }, /^addresses: /],
      [{ addresses: ['10.0.0.0-10.0.255.255'] }, /^addresses: .*more than 1024/],
      [{ waitMs: 10 }, /^waitMs: .*at least 100/],
      [{ waitMs: 60_000 }, /^waitMs: .*at most 30000/],
      [{ units: '1-10' }, /units/],
    ];
    for (const [extra, error] of cases) {
      const { status, body } = await api('POST', '/api/config/scans', scan(extra));
      expect(status, JSON.stringify(extra)).toBe(400);
      expect(body.error, JSON.stringify(extra)).toMatch(error);
    }
  });

  it('is for admins only: 403 to an electrician', async () => {
    expect((await api('GET', '/api/config/scans', undefined, 'electrician')).status).toBe(403);
    expect((await api('POST', '/api/config/scans', scan(), 'electrician')).status).toBe(403);
  });
});
