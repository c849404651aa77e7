/**
 * InfluxDB 1.x store through the `influx` package. Schema, so a Grafana user can query it
 * without reading our code:
 *
 *   measurement  = the device's profile (chiller, vsd-pump, power-meter, ...)
 *   tags         = site, building, room, device, point
 *   fields       = value (float; absent when the read failed), quality (string)
 *   time         = the reading's timestamp, millisecond precision
 *
 *   SELECT mean("value") FROM "power-meter" WHERE "device" = 'dr1-incomer'
 *     AND "point" = 'power_kw' AND $timeFilter GROUP BY time($__interval)
 *
 * Raw data lives in the retention policy `raw`; continuous queries roll it up into
 * `rollup_1m` and `rollup_1h` (mean, min, max, last per window).
 */
import Influx from 'influx';
import type { PointInfo, PointValue, Quality } from '../points/index.js';
import {
  numericValue,
  type RangeQuery,
  type SeriesPoint,
  type StoreHealth,
  type TimeSeriesStore,
} from './types.js';

export interface InfluxStoreOptions {
  host: string;
  port: number;
  database: string;
  username?: string;
  password?: string;
  /** How long raw samples are kept, in InfluxDB duration syntax. */
  rawRetention?: string;
  rollup1mRetention?: string;
  rollup1hRetention?: string;
}

const RAW_RP = 'raw';
const ROLLUPS = [
  { rp: 'rollup_1m', every: '1m', option: 'rollup1mRetention', defaultDuration: '400d' },
  { rp: 'rollup_1h', every: '1h', option: 'rollup1hRetention', defaultDuration: 'INF' },
] as const;

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

/** The same aggregates over rollup rows, for ranges whose raw samples have expired. */
const ROLLUP_AGGREGATE: Record<Exclude<RangeQuery['aggregate'], 'raw' | undefined>, string> = {
  // A mean of means: exact when windows hold equal sample counts, as polled points do.
  mean: 'mean("value")',
  min: 'min("min")',
  max: 'max("max")',
  last: 'last("last")',
  delta: 'max("max") - min("min")',
};

const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** An InfluxDB duration ("90d", "400d", "INF") in milliseconds. */
export function influxDurationMs(duration: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(duration.trim());
  return match ? Number(match[1]) * (DURATION_MS[match[2] as string] as number) : Number.POSITIVE_INFINITY;
}

const INFLUX_AGGREGATE: Record<Exclude<RangeQuery['aggregate'], 'raw' | undefined>, string> = {
  mean: 'mean',
  min: 'min',
  max: 'max',
  last: 'last',
  delta: 'spread',
};

export class InfluxStore implements TimeSeriesStore {
  readonly backend = 'influxdb';
  private readonly client: Influx.InfluxDB;

  private constructor(
    private readonly options: InfluxStoreOptions,
    private readonly catalog: ReadonlyMap<string, PointInfo>,
  ) {
    this.client = withCleanErrors(
      new Influx.InfluxDB({
        host: options.host,
        port: options.port,
        database: options.database,
        username: options.username,
        password: options.password,
      }),
    );
  }

  /**
   * A store that sets its schema up on first use: the gateway starts (and spools) even when
   * InfluxDB is down at that moment.
   */
  static create(options: InfluxStoreOptions, catalog: ReadonlyMap<string, PointInfo>): InfluxStore {
    return new InfluxStore(options, catalog);
  }

  /** Connect now, creating the database, retention policies and rollups if missing. */
  static async open(
    options: InfluxStoreOptions,
    catalog: ReadonlyMap<string, PointInfo>,
  ): Promise<InfluxStore> {
    const store = new InfluxStore(options, catalog);
    await store.ready();
    return store;
  }

  private schema: Promise<void> | undefined;

  private ready(): Promise<void> {
    this.schema ??= this.ensureSchema().catch((err: unknown) => {
      this.schema = undefined; // try again on the next call
      throw err;
    });
    return this.schema;
  }

  private async ensureSchema(): Promise<void> {
    const db = this.options.database;
    if (!(await this.client.getDatabaseNames()).includes(db)) await this.client.createDatabase(db);
    const existing = new Set((await this.client.showRetentionPolicies(db)).map((p) => p.name));
    const policy = async (name: string, duration: string, isDefault: boolean) => {
      const spec = { duration, replication: 1, isDefault, database: db };
      if (existing.has(name)) await this.client.alterRetentionPolicy(name, spec);
      else await this.client.createRetentionPolicy(name, spec);
    };
    await policy(RAW_RP, this.options.rawRetention ?? '90d', true);
    for (const rollup of ROLLUPS) {
      await policy(rollup.rp, this.options[rollup.option] ?? rollup.defaultDuration, false);
      const cq = `cq_${rollup.rp}`;
      const query = `SELECT mean("value") AS "value", min("value") AS "min", max("value") AS "max",
        last("value") AS "last", count("value") AS "count"
        INTO ${ident(db)}.${ident(rollup.rp)}.:MEASUREMENT FROM ${ident(db)}.${ident(RAW_RP)}./.*/
        GROUP BY time(${rollup.every}), *`;
      // SHOW CONTINUOUS QUERIES lists every database's: match ours by its ON clause too.
      const cqs = await this.client.showContinousQueries(db);
      const ours = (c: { name: string; query: string }) =>
        c.name === cq && (c.query.includes(` ON ${db} `) || c.query.includes(` ON ${ident(db)} `));
      if (!cqs.some(ours)) await this.client.createContinuousQuery(cq, query, db);
    }
  }

  async write(batch: readonly PointValue[]): Promise<void> {
    const points: Influx.IPoint[] = [];
    for (const v of batch) {
      const info = this.catalog.get(v.id);
      if (!info) continue;
      const value = numericValue(v.value);
      points.push({
        measurement: info.profile,
        tags: {
          site: info.site,
          building: info.building,
          room: info.room,
          device: info.device,
          point: info.name,
        },
        fields: value === null ? { quality: v.quality } : { value, quality: v.quality },
        timestamp: Math.round(v.ts),
      });
    }
    if (points.length === 0) return;
    await this.ready();
    await this.client.writePoints(points, { precision: 'ms', retentionPolicy: RAW_RP });
  }

  private where(info: PointInfo, from: number, to: number): string {
    return `"device" = ${quote(info.device)} AND "point" = ${quote(info.name)} AND time >= ${from}ms AND time < ${to}ms`;
  }

  async query(q: RangeQuery): Promise<SeriesPoint[]> {
    const info = this.catalog.get(q.point);
    if (!info) return [];
    const from = `${ident(RAW_RP)}.${ident(info.profile)}`;
    const aggregate = q.aggregate ?? 'raw';
    if (aggregate === 'raw') {
      const limit = q.limit ? ` LIMIT ${Math.floor(q.limit)}` : '';
      const rows = await this.client.query<{ value: number | null; quality: Quality }>(
        `SELECT "value", "quality" FROM ${from} WHERE ${this.where(info, q.from, q.to)} ORDER BY time ASC${limit}`,
        { precision: 'ms' },
      );
      return rows.map((r) => ({ ts: r.time.getTime(), value: r.value ?? null, quality: r.quality }));
    }
    const window = Math.max(1, Math.round(q.windowMs ?? q.to - q.from));
    // Windows start at `from`, as in every backend: offset InfluxDB's epoch-aligned buckets.
    const offset = ((q.from % window) + window) % window;
    const rollup = this.rollupFor(q.from, window);
    const select = rollup
      ? `${ROLLUP_AGGREGATE[aggregate]} AS "value", sum("count") AS "count" FROM ${ident(rollup)}.${ident(info.profile)}`
      : `${INFLUX_AGGREGATE[aggregate]}("value") AS "value", count("value") AS "count" FROM ${from}`;
    const rows = await this.client.query<{ value: number | null; count: number }>(
      `SELECT ${select} WHERE ${this.where(info, q.from, q.to)} GROUP BY time(${window}ms, ${offset}ms) fill(none)`,
      { precision: 'ms' },
    );
    return rows
      .filter((r) => r.count > 0)
      .map((r) => ({ ts: r.time.getTime(), value: r.value, count: r.count }));
  }

  /** Raw samples of this range have expired: the coarsest rollup that tiles the window. */
  private rollupFor(from: number, windowMs: number): string | undefined {
    if (from >= Date.now() - influxDurationMs(this.options.rawRetention ?? '90d')) return undefined;
    if (windowMs % 3_600_000 === 0) return 'rollup_1h';
    if (windowMs % 60_000 === 0) return 'rollup_1m';
    return undefined;
  }

  async latest(points?: readonly string[]): Promise<Map<string, SeriesPoint>> {
    const wanted = points ?? [...this.catalog.keys()];
    const byProfile = new Map<string, PointInfo[]>();
    for (const id of wanted) {
      const info = this.catalog.get(id);
      if (info) byProfile.set(info.profile, [...(byProfile.get(info.profile) ?? []), info]);
    }
    const result = new Map<string, SeriesPoint>();
    for (const [profile, infos] of byProfile) {
      const filter = infos
        .map((i) => `("device" = ${quote(i.device)} AND "point" = ${quote(i.name)})`)
        .join(' OR ');
      const rows = await this.client.query<{
        value: number | null;
        quality: Quality;
        device: string;
        point: string;
      }>(
        `SELECT "value", "quality" FROM ${ident(RAW_RP)}.${ident(profile)} WHERE ${filter}
         GROUP BY "device", "point" ORDER BY time DESC LIMIT 1`,
        { precision: 'ms' },
      );
      for (const row of rows) {
        result.set(`${row.device}.${row.point}`, {
          ts: row.time.getTime(),
          value: row.value ?? null,
          quality: row.quality,
        });
      }
    }
    return result;
  }

  async health(): Promise<StoreHealth> {
    const [host] = await this.client.ping(2000);
    return host?.online
      ? { ok: true, backend: this.backend }
      : {
          ok: false,
          backend: this.backend,
          detail: `no answer from ${this.options.host}:${this.options.port}`,
        };
  }

  async close(): Promise<void> {
    // HTTP client: nothing held open between requests.
  }
}

/**
 * node-influx's request errors carry the HTTP request, whose Authorization header holds the
 * password (base64), and the response: logged as they are, they would write the password to
 * the log (and kilobytes of socket state). Every rejection is replaced by a plain Error with
 * the message, the HTTP status and the system error code only.
 */
function withCleanErrors(client: Influx.InfluxDB): Influx.InfluxDB {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise
          ? result.catch((err: unknown) => {
              throw cleanError(err);
            })
          : result;
      };
    },
  });
}

function cleanError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const clean = new Error(err.message);
  clean.name = err.name;
  const status = (err as { res?: { statusCode?: unknown } }).res?.statusCode;
  const code = (err as NodeJS.ErrnoException).code;
  return Object.assign(
    clean,
    typeof status === 'number' ? { statusCode: status } : {},
    typeof code === 'string' ? { code } : {},
  );
}
