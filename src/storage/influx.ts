/**
 * InfluxDB 1.x store through the `influx` package. Schema, so a Grafana user can query it
 * without reading our code:
 *
 *   measurement  = the device's profile (chiller, vsd-pump, power-meter, ...)
 *   tags         = site, building, room, device, point, and unit (kW, °C, m³/h; absent when
 *                  the point has none): constant per series, so it costs nothing
 *   fields       = value (float; absent when the read failed), quality (string)
 *   time         = the reading's timestamp, millisecond precision
 *
 *   SELECT mean("value") FROM "power-meter" WHERE "device" = 'dr1-incomer'
 *     AND "point" = 'power_kw' AND $timeFilter GROUP BY time($__interval), "unit"
 *
 * Raw data lives in the retention policy `raw`; continuous queries roll it up into
 * `rollup_1m` and `rollup_1h` (mean, min, max, last, count per window, every tag kept), and the
 * store recomputes the windows that values reached too late for (see influx-rollups.ts).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import Influx from 'influx';
import { createLogger, type Logger } from '../log/index.js';
import { type PointInfo, type PointValue, QUALITIES, type Quality } from '../points/index.js';
import { LateWindows, type Recompute } from './influx-rollups.js';
import {
  type AdminStatement,
  type InfluxSchemaSettings,
  ident,
  influxDurationMs,
  isRefused,
  quote,
  RAW_RP,
  recomputeRollup,
  reconcileSchema,
  type SchemaReport,
  type Series,
  STATEMENT_ERROR,
} from './influx-schema.js';
import {
  numericValue,
  type RangeQuery,
  type SeriesPoint,
  type StoreHealth,
  type TimeSeriesStore,
} from './types.js';

export interface InfluxStoreOptions extends InfluxSchemaSettings {
  host: string;
  port: number;
  password?: string;
  /** https for a server across a network; http by default. */
  protocol?: 'http' | 'https';
  /** PEM certificate(s) the server's certificate must chain to; the system's CAs when absent. */
  ca?: string;
  /** false: encrypted but unverified, so anyone on the path can pose as the server. Default true. */
  verifyTls?: boolean;
  /** The clock that says which rollup windows have ended (tests run on data time); Date.now by default. */
  now?: () => number;
}

/** The same aggregates over rollup rows, for ranges whose raw samples have expired. */
const ROLLUP_AGGREGATE: Record<Exclude<RangeQuery['aggregate'], 'raw' | undefined>, string> = {
  // A mean of means: exact when windows hold equal sample counts, as polled points do.
  mean: 'mean("value")',
  min: 'min("min")',
  max: 'max("max")',
  last: 'last("last")',
  delta: 'max("max") - min("min")',
};

const INFLUX_AGGREGATE: Record<Exclude<RangeQuery['aggregate'], 'raw' | undefined>, string> = {
  mean: 'mean',
  min: 'min',
  max: 'max',
  last: 'last',
  delta: 'spread',
};

/** The `quality` field of each quality, as line protocol (a quoted string field). */
const QUALITY_FIELD: Record<Quality, string> = Object.fromEntries(
  QUALITIES.map((q) => [q, `quality=${Influx.escape.quoted(q)}`]),
) as Record<Quality, string>;

/** A write that hears nothing for this long fails: the bound the `influx` client puts on its own requests. */
const WRITE_TIMEOUT_MS = 30_000;

export class InfluxStore implements TimeSeriesStore {
  readonly backend = 'influxdb';
  private readonly client: Influx.InfluxDB;
  private readonly series = new Map<string, string>();
  private readonly late = new LateWindows();
  private readonly now: () => number;

  private constructor(
    private readonly options: InfluxStoreOptions,
    private readonly catalog: ReadonlyMap<string, PointInfo>,
    private logger: Logger | undefined,
  ) {
    this.client = withCleanErrors(new Influx.InfluxDB(clientConfig(options)));
    this.now = options.now ?? Date.now;
  }

  /**
   * A store that sets its schema up on first use: the gateway starts (and spools) even when
   * InfluxDB is down at that moment.
   */
  static create(
    options: InfluxStoreOptions,
    catalog: ReadonlyMap<string, PointInfo>,
    log?: Logger,
  ): InfluxStore {
    return new InfluxStore(options, catalog, log);
  }

  /** Connect now, creating the database, retention policies and rollups if missing and allowed. */
  static async open(
    options: InfluxStoreOptions,
    catalog: ReadonlyMap<string, PointInfo>,
    log?: Logger,
  ): Promise<InfluxStore> {
    const store = new InfluxStore(options, catalog, log);
    await store.ready();
    return store;
  }

  /**
   * Schema notices go to the gateway's log when it passed one. Else to a logger of our own, so
   * that what an admin must do is never lost; warnings only, unless PLANTWATCH_LOG_LEVEL says.
   */
  private get log(): Logger {
    this.logger ??= createLogger(process.env.PLANTWATCH_LOG_LEVEL ?? 'warn').child({
      component: 'storage',
      backend: 'influxdb',
    });
    return this.logger;
  }

  private schema: Promise<void> | undefined;

  private ready(): Promise<void> {
    this.schema ??= this.ensureSchema().catch((err: unknown) => {
      this.schema = undefined; // try again on the next call
      throw err;
    });
    return this.schema;
  }

  /**
   * Bring the schema in line with the configuration as far as this account may, and say
   * what an admin must do about the rest. Writing goes on unless the database or `raw`
   * itself is missing: then every write fails with the statements that would fix it.
   */
  private async ensureSchema(): Promise<void> {
    const report = await this.reconcileSchema();
    if (report.done.length > 0) {
      this.log.info({ database: this.options.database, statements: report.done }, 'InfluxDB schema set up');
    }
    const notice = adminNotice(this.options, report);
    if (notice) this.logOnce(report.blocking ? 'error' : 'warn', notice, report.forAdmin);
    if (report.blocking) throw new Error(notice);
  }

  /** Create what is missing and alter what differs, as far as this account may. */
  reconcileSchema(): Promise<SchemaReport> {
    return reconcileSchema(this.run, this.options);
  }

  /** One InfluxQL statement that changes something, e.g. an admin's GRANT. */
  async execute(statement: string): Promise<void> {
    await this.run(statement, true);
  }

  private readonly run = async (statement: string, change: boolean): Promise<Series[]> => {
    // queryRaw: the answer as influxd sent it, so a statement's own error is not lost.
    const answer = (await this.client.queryRaw(statement, {
      database: this.options.database,
      method: change ? 'POST' : 'GET',
    })) as { results?: { error?: string; series?: Series[] }[] };
    const result = answer.results?.[0];
    if (result?.error) {
      throw cleanError(Object.assign(new Error(`${statement}: ${result.error}`), { name: STATEMENT_ERROR }));
    }
    return result?.series ?? [];
  };

  /** The same notice once per store, however often the writer retries. */
  private readonly logged = new Set<string>();

  private logOnce(
    level: 'warn' | 'error',
    message: string,
    statements: readonly AdminStatement[],
    detail: Record<string, unknown> = {},
  ): void {
    if (this.logged.has(message)) return;
    this.logged.add(message);
    this.log[level](
      {
        database: this.options.database,
        user: this.options.username,
        statements: statements.map((s) => s.statement),
        ...detail,
      },
      message,
    );
  }

  /**
   * Line protocol written here rather than through `writePoints`: a point's series (measurement
   * and tags, escaped) is the same on every write, so it is built once; `writePoints` built
   * and escaped it again per value, about half of the gateway's time spent on InfluxDB. The
   * client has no public way to post it, so it goes over node:http (see postLines).
   */
  async write(batch: readonly PointValue[]): Promise<void> {
    let body = '';
    const valueTimes: number[] = [];
    for (const v of batch) {
      const series = this.seriesOf(v.id);
      if (series === undefined) continue;
      const value = numericValue(v.value);
      const ts = Math.round(v.ts);
      const fields = value === null ? QUALITY_FIELD[v.quality] : `value=${value},${QUALITY_FIELD[v.quality]}`;
      body += `${body ? '\n' : ''}${series} ${fields} ${ts}`;
      // Rollups aggregate `value` only: a failed read changes none.
      if (value !== null) valueTimes.push(ts);
    }
    if (!body) return;
    await this.ready();
    await postLines(this.options, body).catch((err: unknown) => {
      throw cleanError(err);
    });
    this.late.note(valueTimes, this.now());
  }

  /**
   * Recompute the rollup windows that written values reached after influxd had rolled them up,
   * as far as they are due. Rejects while influxd cannot be reached (the windows stay noted).
   */
  async settle(): Promise<void> {
    for (const recompute of this.late.due(this.now())) {
      await this.recompute(recompute);
      this.late.done(recompute);
    }
  }

  private async recompute({ rollup, from, to }: Recompute): Promise<void> {
    try {
      await this.run(recomputeRollup(this.options.database, rollup, from, to), true);
    } catch (err) {
      if (!isRefused(err)) throw err;
      // Say so once; asking again would only be refused again (a policy missing, no READ).
      this.logOnce(
        'warn',
        `InfluxDB: values that arrived after their window was rolled up are not in ${rollup.rp}; it keeps what its continuous query saw`,
        [],
        { err: (err as Error).message },
      );
    }
  }

  /** `measurement,tag=value,...` of a point, escaped, cached; undefined for an unknown point. */
  private seriesOf(id: string): string | undefined {
    let series = this.series.get(id);
    if (series === undefined) {
      const info = this.catalog.get(id);
      if (!info) return undefined;
      const tag = Influx.escape.tag;
      // Tags in key order, as InfluxDB keys its series.
      // No unit tag for a point without one: InfluxDB refuses an empty tag value.
      series =
        `${Influx.escape.measurement(info.profile)},building=${tag(info.building)},device=${tag(info.device)}` +
        `,point=${tag(info.name)},room=${tag(info.room)},site=${tag(info.site)}` +
        (info.unit ? `,unit=${tag(info.unit)}` : '');
      this.series.set(id, series);
    }
    return series;
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
    if (from >= this.now() - influxDurationMs(this.options.rawRetention ?? '90d')) return undefined;
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

/** The `influx` client's settings: http, or https with the CA and verification asked for. */
function clientConfig(options: InfluxStoreOptions): Influx.ISingleHostConfig {
  const https = options.protocol === 'https';
  return {
    host: options.host,
    port: options.port,
    protocol: https ? 'https' : 'http',
    database: options.database,
    username: options.username,
    password: options.password,
    // Passed to https.request: the CA to trust, and whether to check the certificate at all.
    ...(https
      ? {
          options: {
            ...(options.ca ? { ca: options.ca } : {}),
            rejectUnauthorized: options.verifyTls ?? true,
          },
        }
      : {}),
  };
}

/**
 * POST line protocol to influxd's /write, into `raw` at millisecond precision: the request the
 * `influx` client's writePoints makes, over the same server, TLS settings (CA, verification)
 * and login (HTTP basic), bounded as its requests are. Resolves on a 2xx; rejects with the
 * server's own error and the HTTP status (`statusCode`), or with the socket's error (its
 * `code`: ECONNREFUSED, a certificate's), each time, with no pool of its own to disable the
 * server for a while after a failure.
 */
function postLines(options: InfluxStoreOptions, body: string): Promise<void> {
  const https = options.protocol === 'https';
  const query = new URLSearchParams({ db: options.database, rp: RAW_RP, precision: 'ms' });
  // https' options: http's, and the TLS ones (used only when https).
  const request: RequestOptions = {
    method: 'POST',
    host: options.host,
    port: options.port,
    path: `/write?${query}`,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    },
    ...(options.username ? { auth: `${options.username}:${options.password ?? ''}` } : {}),
    ...(https
      ? { ...(options.ca ? { ca: options.ca } : {}), rejectUnauthorized: options.verifyTls ?? true }
      : {}),
  };
  return new Promise<void>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(request, (res) => {
      readAnswer(res).then((text) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve();
        const message = `InfluxDB answered the write with HTTP ${status}: ${serverError(text)}`;
        reject(Object.assign(new Error(message), { statusCode: status }));
      }, reject);
    });
    req.setTimeout(WRITE_TIMEOUT_MS, () =>
      req.destroy(new Error(`InfluxDB did not answer a write within ${WRITE_TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

function readAnswer(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.on('end', () => resolve(text));
    res.on('error', reject);
    // Cut off mid-answer (influxd killed): no 'end'; without this the write would never settle.
    res.on('close', () => {
      if (!res.complete) reject(new Error('InfluxDB closed the connection in the middle of its answer'));
    });
  });
}

/** influxd's `{"error": "..."}`, or the answer as it came (a proxy's page), cut short. */
function serverError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 200) || 'no reason given';
}

/**
 * One message for the log and, when writing cannot start, for the error every write gets:
 * what this account could not check or do, and the statements an admin runs.
 */
function adminNotice(options: InfluxStoreOptions, report: SchemaReport): string | undefined {
  if (report.forAdmin.length === 0 && report.unchecked.length === 0) return undefined;
  const user = options.username ? `user "${options.username}"` : 'this account';
  const lines = [
    report.blocking
      ? `InfluxDB: nothing can be written to database "${options.database}": ${user} may not create what is missing (values are spooled until an admin has)`
      : `InfluxDB: ${user} writes to "${options.database}", but may not check or change all of its schema`,
    ...report.unchecked.map((what) => `could not check ${what}`),
    ...new Set(report.forAdmin.map((s) => s.why)),
  ];
  if (report.forAdmin.length > 0) {
    lines.push(
      `an admin must run (or \`plantwatch influx-schema --admin <name>\`): ${report.forAdmin.map((s) => `${s.statement};`).join(' ')}`,
    );
  }
  return lines.join('; ');
}

/**
 * node-influx's request errors carry the HTTP request, whose Authorization header holds the
 * password (base64), and the response: logged as they are, they would write the password to
 * the log (and kilobytes of socket state). Every rejection is replaced by a plain Error with
 * the message (with a hint for login and TLS failures), the HTTP status and the system error
 * code only.
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
  const code = (err as NodeJS.ErrnoException).code;
  // node-influx's errors carry the response; postLines' the status itself.
  const status =
    (err as { res?: { statusCode?: unknown } }).res?.statusCode ??
    (err as { statusCode?: unknown }).statusCode;
  const hint =
    status === 401
      ? `InfluxDB refused the login (${err.message}): check storage.influxdb.username and password`
      : tlsHint(code, err.message);
  const clean = new Error(hint ?? err.message);
  clean.name = err.name;
  // Its stack would only point here, and callers that log the error whole would print it.
  clean.stack = `${clean.name}: ${clean.message}`;
  return Object.assign(
    clean,
    typeof status === 'number' ? { statusCode: status } : {},
    typeof code === 'string' ? { code } : {},
  );
}

/** Node's certificate checks fail with these codes (and ERR_TLS_CERT_ALTNAME_INVALID). */
const CERTIFICATE_REFUSED =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|CERT_\w+)$/;

/** A TLS failure said in the words of the configuration that fixes it. */
function tlsHint(code: string | undefined, message: string): string | undefined {
  if (code && CERTIFICATE_REFUSED.test(code)) {
    return `TLS: the InfluxDB server's certificate is not trusted (${message}; ${code}): set storage.influxdb.ca to the CA that signed it, or connect by a name the certificate holds`;
  }
  if (code === 'EPROTO') {
    return `TLS: no TLS handshake with the InfluxDB server (${message}): does it serve https on this port?`;
  }
  return undefined;
}
