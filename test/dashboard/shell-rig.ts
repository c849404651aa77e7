/**
 * A small plant behind the gateway's real web server for the shell's browser tests (salience,
 * annunciation, phone, theme, connection): two rooms — a chiller plant (two chillers) and a
 * pump room (a pump) — every point read every second, alarm rules of all four priorities, and
 * the real alarm service. No vitest import: connection.test.ts runs it in a child process
 * (shell-rig-child.ts) so that the whole gateway can be frozen with SIGSTOP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlarmJournal, type AlarmService, startAlarms } from '../../src/alarms/index.js';
import { silentLogger } from '../../src/log/index.js';
import { buildCatalog, PointBus, PointTable, type Value } from '../../src/points/index.js';
import type { WebServer, WebServerOptions } from '../../src/web/index.js';
import { DEFAULT_SITE, type SiteSettings } from '../../src/web/site.js';
import { plantConfig } from '../helpers/plant-config.js';
import { startBareWebServer } from '../helpers/web.js';

const line = { modbus: { line: 'l1', unitId: 1 } };

const PROFILES = [
  {
    id: 'chiller',
    name: 'Chiller',
    equipment: 'chiller',
    protocol: 'modbus',
    pollGroups: { default: '1s' },
    points: [
      { name: 'chw_supply_temp', unit: '°C', table: 'input', address: 0, scale: 0.1 },
      { name: 'chw_return_temp', unit: '°C', table: 'input', address: 1, scale: 0.1 },
      { name: 'running', table: 'input', address: 2, type: 'bool', bit: 0 },
      { name: 'tripped', table: 'input', address: 3, type: 'bool', bit: 1 },
    ],
  },
  {
    id: 'pump',
    name: 'Pump',
    equipment: 'pump',
    protocol: 'modbus',
    pollGroups: { default: '1s' },
    points: [
      { name: 'running', table: 'holding', address: 0, type: 'bool', bit: 0 },
      { name: 'outlet_pressure_bar', unit: 'bar', table: 'holding', address: 5, scale: 0.01 },
    ],
  },
];

const DEVICES = [
  { id: 'ch1', name: 'Chiller 1', profile: 'chiller', room: 'chillers', ...line },
  { id: 'ch2', name: 'Chiller 2', profile: 'chiller', room: 'chillers', ...line },
  { id: 'p1', name: 'Booster pump 1', profile: 'pump', room: 'pumps', ...line },
];

/** One rule per priority: a trip is critical, low pressure high, warm water medium, a warm return low. */
const RULES = [
  {
    id: 'trip',
    profile: 'chiller',
    type: 'state',
    point: 'tripped',
    equals: true,
    priority: 'critical',
    message: '{deviceName} tripped',
  },
  {
    id: 'pressure-low',
    profile: 'pump',
    type: 'low',
    point: 'outlet_pressure_bar',
    limit: 3,
    priority: 'high',
    message: '{deviceName}: outlet pressure low',
  },
  {
    id: 'chw-warm',
    profile: 'chiller',
    type: 'high',
    point: 'chw_supply_temp',
    limit: 9,
    priority: 'medium',
    message: '{deviceName}: chilled water warm',
  },
  {
    id: 'return-warm',
    profile: 'chiller',
    type: 'high',
    point: 'chw_return_temp',
    limit: 14,
    priority: 'low',
    message: '{deviceName}: return water warm',
  },
];

/** Every point normal. */
export const NORMAL: Record<string, Value> = {
  'ch1.chw_supply_temp': 7,
  'ch1.chw_return_temp': 12,
  'ch1.running': true,
  'ch1.tripped': false,
  'ch2.chw_supply_temp': 7.2,
  'ch2.chw_return_temp': 12.1,
  'ch2.running': true,
  'ch2.tripped': false,
  'p1.running': true,
  'p1.outlet_pressure_bar': 4.2,
};

export const CHILLER_ROOM = 'main/b1/chillers';
export const PUMP_ROOM = 'main/b1/pumps';

export interface ShellRig {
  url: string;
  web: WebServer;
  alarms: AlarmService;
  /** A reading now; it is also re-read every second from then on, as a poll would. */
  set(id: string, value: Value): void;
  stop(): Promise<void>;
}

export interface ShellRigOptions {
  /** Annunciation and names (default: critical and high sound, repeated every 1.5 s). */
  site?: Partial<SiteSettings>;
  web?: Partial<WebServerOptions>;
}

export async function startShellRig(options: ShellRigOptions = {}): Promise<ShellRig> {
  const home = mkdtempSync(join(tmpdir(), 'plantwatch-shell-'));
  const config = plantConfig({
    profiles: PROFILES,
    devices: DEVICES,
    alarms: { settings: { tick: 100 }, rules: RULES },
  });
  const bus = new PointBus();
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  const journal = new AlarmJournal(join(home, 'alarms.db'));
  const alarms = startAlarms({ config, bus, read: (id) => table.get(id), log: silentLogger(), journal });
  const values = new Map(Object.entries(NORMAL));
  const poll = () =>
    bus.publish([...values].map(([id, value]) => ({ id, value, quality: 'good' as const, ts: Date.now() })));
  poll();
  const timer = setInterval(poll, 1000);
  const web = await startBareWebServer({
    table,
    bus,
    alarms,
    site: {
      ...DEFAULT_SITE,
      annunciation: { sound: ['critical', 'high'], repeatMs: 1500 },
      ...options.site,
    },
    ...options.web,
  });
  return {
    url: web.url,
    web,
    alarms,
    set(id, value) {
      values.set(id, value);
      bus.publish([{ id, value, quality: 'good', ts: Date.now() }]);
    },
    async stop() {
      clearInterval(timer);
      await web.stop();
      await alarms.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
