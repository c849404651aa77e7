/**
 * The records API as the gateway serves it, from real parts: the demo configuration, the
 * point bus and table, a real alarm service (journal in a temp directory), a SQLite
 * time-series store and records file, the duty roster of notify.yaml, and a real web server
 * on 127.0.0.1:0, with or without login (the demo accounts). The alarm and records services
 * run on a clock the test sets; sessions run on the real one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { type AlarmService, createAlarms } from '../../src/alarms/index.js';
import type { Auth } from '../../src/auth/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { DutyRoster } from '../../src/notify/index.js';
import { buildCatalog, PointBus, PointTable, type Value } from '../../src/points/index.js';
import { createRecords, type RecordsService } from '../../src/records/index.js';
import { SqliteStore } from '../../src/storage/index.js';
import type { WebServer } from '../../src/web/index.js';
import { demoAuth, login } from '../auth/harness.js';
import { type Json, startBareWebServer } from '../helpers/web.js';

/** notify.yaml's zone: the roster's shifts and the records' months and times. */
export const ZONE = 'Asia/Shanghai';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Epoch ms of a local wall time in the hospital's zone, e.g. "2026-11-25T10:00". */
export const local = (iso: string): number => {
  const t = DateTime.fromISO(iso, { zone: ZONE });
  if (!t.isValid) throw new Error(`bad test time ${iso}`);
  return t.toMillis();
};

export type Account = 'admin' | 'electrician' | 'manager';
const PASSWORDS: Record<Account, string> = {
  admin: 'admin-demo',
  electrician: 'electrician-demo',
  manager: 'manager-demo',
};

export interface Reply {
  status: number;
  body: Json;
  text: string;
  headers: Headers;
}

export interface RequestInit {
  /** Signed in as this demo account (login on only). */
  as?: Account;
  body?: unknown;
  post?: boolean;
  headers?: Record<string, string>;
}

export interface RecordsRig {
  url: string;
  config: PlantConfig;
  bus: PointBus;
  table: PointTable;
  store: SqliteStore;
  alarms: AlarmService;
  roster: DutyRoster;
  records: RecordsService;
  /** The clock of the alarm and records services. */
  now(): number;
  setNow(at: number): void;
  /** Publish a reading at the rig's time, as acquisition would. */
  set(point: string, value: Value): void;
  request(path: string, init?: RequestInit): Promise<Reply>;
  stop(): Promise<void>;
}

export interface RigOptions {
  /** Login on with the demo accounts (default false: actions name their user in the body). */
  login?: boolean;
  /** The services' clock at the start. */
  at: number;
}

export async function startRecordsRig(options: RigOptions): Promise<RecordsRig> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-records-web-'));
  let now = options.at;
  const clock = () => now;
  const log = silentLogger();
  const config = loadConfig(resolve('config'));
  const bus = new PointBus();
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  const store = new SqliteStore({ path: join(dir, 'plantwatch.db'), maintenanceIntervalMs: 0 });
  const alarms = createAlarms({
    config,
    bus,
    read: (id) => table.get(id),
    log,
    journalPath: join(dir, 'alarms.db'),
    now: clock,
  });
  alarms.start();
  const roster = new DutyRoster(config.notify);
  const records = createRecords({
    config,
    alarms,
    roster,
    table,
    store,
    bus,
    log,
    path: join(dir, 'records.db'),
    now: clock,
  });
  let auth: Auth | undefined;
  let web: WebServer | undefined;
  const cookies = new Map<Account, string>();
  try {
    if (options.login) auth = await demoAuth(dir, log);
    web = await startBareWebServer({ table, bus, store, alarms, records, ...(auth ? { auth } : {}) });
    if (auth)
      for (const account of Object.keys(PASSWORDS) as Account[]) {
        const { cookie } = await login(web.url, account, PASSWORDS[account]);
        if (!cookie) throw new Error(`demo account ${account} could not log in`);
        cookies.set(account, cookie);
      }
  } catch (err) {
    await web?.stop();
    auth?.close();
    throw err;
  }
  const url = web.url;
  const server = web;

  return {
    url,
    config,
    bus,
    table,
    store,
    alarms,
    roster,
    records,
    now: clock,
    setNow: (at) => {
      now = at;
    },
    set: (point, value) => bus.publish([{ id: point, value, quality: 'good', ts: now }]),
    async request(path, init = {}) {
      const post = init.post ?? init.body !== undefined;
      const cookie = init.as ? cookies.get(init.as) : undefined;
      if (init.as && !cookie) throw new Error(`no session for ${init.as}: is login on in this rig?`);
      const res = await fetch(`${url}${path}`, {
        method: post ? 'POST' : 'GET',
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      let body: Json = text;
      try {
        body = JSON.parse(text);
      } catch {
        // CSV or SVG: the text is the body.
      }
      return { status: res.status, body, text, headers: res.headers };
    },
    async stop() {
      records.stop();
      await server.stop();
      auth?.close();
      await alarms.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * RFC 4180 CSV as a spreadsheet reads it: the BOM dropped, quoted cells unquoted ("" → "),
 * line breaks inside quotes kept. Every row, the header first.
 */
export function parseCsv(text: string): string[][] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV cell as toCsv writes a number (rounded to 3 decimals), or '' for none. */
export const csvNumber = (n: number | null | undefined): string =>
  n === null || n === undefined ? '' : String(Math.round(n * 1000) / 1000);
