/**
 * influxd's continuous-query service played on data time, and the rollup rows it leaves, for
 * the rollup tests of the InfluxDB store. influxd runs each continuous query over the interval
 * that has just ended by its own clock, never looking back or catching up after a restart; a
 * test writing at past timestamps runs the queries' own bodies, as the server holds them.
 */
import type { PointInfo } from '../../src/points/index.js';
import type { TimeSeriesStore } from '../../src/storage/index.js';
import type { Influxd } from '../helpers/influxd.js';
import type { RollupBackend, RollupRow } from './rollup-contract.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000 };

/** One statement as influxd's admin; rejects with the server's error. */
async function run(influxd: Influxd, db: string, statement: string) {
  const answer = await influxd.query(statement, { db });
  const error = answer.body.error ?? answer.body.results?.[0]?.error;
  if (error) throw new Error(`${statement}: ${error}`);
  return answer.body.results?.[0]?.series ?? [];
}

/** The database's continuous queries: name, body (`SELECT … GROUP BY time(1m), *`) and interval. */
export async function continuousQueryBodies(influxd: Influxd, db: string) {
  // SHOW CONTINUOUS QUERIES lists every database's: take this one's.
  const all = await run(influxd, db, 'SHOW CONTINUOUS QUERIES');
  const rows = (all.find((series) => series.name === db)?.values ?? []) as [string, string][];
  return rows.map(([name, definition]) => {
    const body = /BEGIN (.*) END$/.exec(definition)?.[1] ?? '';
    const [, amount, unit] = /GROUP BY time\((\d+)([mh])\)/.exec(body) ?? [];
    return { name, body, everyMs: Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN) };
  });
}

/** A continuous query's body restricted to [from, to), as influxd runs it for that interval. */
export const bodyOver = (body: string, from: number, to: number) =>
  body.replace('GROUP BY', `WHERE time >= ${from}ms AND time < ${to}ms GROUP BY`);

/** influxd's continuous-query service at data time `now`: each query over its latest closed interval, once. */
export function continuousQueries(influxd: Influxd, db: string): (now: number) => Promise<void> {
  let queries: ReturnType<typeof continuousQueryBodies> | undefined;
  const ranUpTo = new Map<string, number>();
  return async (now) => {
    queries ??= continuousQueryBodies(influxd, db);
    for (const { name, body, everyMs } of await queries) {
      const end = Math.floor(now / everyMs) * everyMs;
      if (ranUpTo.get(name) === end) continue;
      ranUpTo.set(name, end);
      await run(influxd, db, bodyOver(body, end - everyMs, end));
    }
  };
}

/** The rows of `rollup_1m` or `rollup_1h` of a point, oldest first (every series of the point). */
export async function rollupRows(
  influxd: Influxd,
  db: string,
  rp: string,
  info: PointInfo,
  from: number,
  to: number,
): Promise<RollupRow[]> {
  const [series] = await run(
    influxd,
    db,
    `SELECT "value", "min", "max", "last", "count" FROM "${rp}"."${info.profile}" WHERE "device" = '${info.device}' AND "point" = '${info.name}' AND time >= ${from}ms AND time < ${to}ms`,
  );
  return ((series?.values ?? []) as [string, number, number, number, number, number][]).map(
    ([time, mean, min, max, last, count]) => ({ ts: Date.parse(time), mean, min, max, last, count }),
  );
}

/** A store on `db` with influxd's continuous queries played on data time. */
export function influxRollupBackend(
  influxd: Influxd,
  db: string,
  store: TimeSeriesStore,
  catalog: ReadonlyMap<string, PointInfo>,
): RollupBackend {
  return {
    store,
    scheduled: continuousQueries(influxd, db),
    async rollups(every, point, from, to) {
      const info = catalog.get(point);
      if (!info) throw new Error(`${point} is not in the catalog`);
      return rollupRows(influxd, db, `rollup_${every}`, info, from, to);
    },
    close: () => store.close(),
  };
}
