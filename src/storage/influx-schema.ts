/**
 * What Plantwatch needs in InfluxDB 1.x (a database, the retention policies `raw`,
 * `rollup_1m` and `rollup_1h`, two continuous queries), written as InfluxQL, and the
 * comparison of what a server has with what the configuration asks for. One source for the
 * store's set-up at start and for `plantwatch influx-schema`, which prints or applies the same
 * statements with an admin account.
 *
 * What influxd 1.x (OSS, checked on 1.6) lets a user without admin rights do, by the
 * privilege `GRANT ... ON <db>` gave it:
 *
 *   SHOW DATABASES                      anyone; lists only the databases it has a privilege on
 *   SHOW RETENTION POLICIES ON db       READ on db
 *   SHOW CONTINUOUS QUERIES             READ on the request's db (and lists every database's)
 *   CREATE CONTINUOUS QUERY ... INTO db READ on db, and WRITE on db for the INTO
 *   SELECT ... INTO db.rp ... FROM db   READ on db, and WRITE on db for the INTO
 *   CREATE DATABASE, CREATE/ALTER RETENTION POLICY, GRANT   admin only (HTTP 403)
 *
 * A second GRANT on the same database replaces the first: READ and WRITE together is
 * `GRANT ALL ON db TO user` (ALL here is both privileges on that database, not admin).
 */

export const RAW_RP = 'raw';

export interface InfluxSchemaSettings {
  database: string;
  username?: string;
  /** How long raw samples are kept, in InfluxDB duration syntax ("90d", "INF"). */
  rawRetention?: string;
  rollup1mRetention?: string;
  rollup1hRetention?: string;
  /** Shard group durations: compared and set only when given (InfluxDB picks one otherwise). */
  rawShardDuration?: string;
  rollup1mShardDuration?: string;
  rollup1hShardDuration?: string;
}

export interface RetentionPolicySpec {
  name: string;
  duration: string;
  shardDuration: string | undefined;
  isDefault: boolean;
}

export const ROLLUPS = [
  { rp: 'rollup_1m', every: '1m', everyMs: 60_000 },
  { rp: 'rollup_1h', every: '1h', everyMs: 3_600_000 },
] as const;

export type Rollup = (typeof ROLLUPS)[number];

export const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const ident = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

export function retentionPolicies(settings: InfluxSchemaSettings): RetentionPolicySpec[] {
  return [
    {
      name: RAW_RP,
      duration: settings.rawRetention ?? '90d',
      shardDuration: settings.rawShardDuration,
      isDefault: true,
    },
    {
      name: 'rollup_1m',
      duration: settings.rollup1mRetention ?? '400d',
      shardDuration: settings.rollup1mShardDuration,
      isDefault: false,
    },
    {
      name: 'rollup_1h',
      duration: settings.rollup1hRetention ?? 'INF',
      shardDuration: settings.rollup1hShardDuration,
      isDefault: false,
    },
  ];
}

const DURATION_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  u: 1e-3,
  µ: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A duration in milliseconds: InfluxQL's ("90d", "INF") or as SHOW RETENTION POLICIES prints
 * it ("2160h0m0s"; "0s" is infinite). Infinity for INF and for what does not parse.
 */
export function influxDurationMs(duration: string): number {
  const text = duration.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|u|µ|ms|s|m|h|d|w))+$/.test(text)) return Number.POSITIVE_INFINITY;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|u|µ|ms|s|m|h|d|w)/g)) {
    ms += Number(amount) * (DURATION_MS[unit as string] as number);
  }
  return ms === 0 ? Number.POSITIVE_INFINITY : ms;
}

// ------------------------------------------------------------------ statements

export const createDatabase = (db: string) => `CREATE DATABASE ${ident(db)}`;

export function createPolicy(db: string, p: RetentionPolicySpec): string {
  const shard = p.shardDuration ? ` SHARD DURATION ${p.shardDuration}` : '';
  return `CREATE RETENTION POLICY ${ident(p.name)} ON ${ident(db)} DURATION ${p.duration} REPLICATION 1${shard}${p.isDefault ? ' DEFAULT' : ''}`;
}

/** Only the clauses that differ: no REPLICATION, which an Enterprise cluster's admin owns. */
export function alterPolicy(db: string, p: RetentionPolicySpec, clauses: readonly string[]): string {
  return `ALTER RETENTION POLICY ${ident(p.name)} ON ${ident(db)} ${clauses.join(' ')}`;
}

export const cqName = (rollup: Rollup) => `cq_${rollup.rp}`;

/**
 * A rollup from raw samples, as its continuous query computes it (`where`: none) or again for
 * a range. GROUP BY *: every tag of a series (the point's unit too) goes into its rollup.
 */
function rollupFromRaw(db: string, rollup: Rollup, where: string): string {
  return `SELECT mean("value") AS "value", min("value") AS "min", max("value") AS "max", last("value") AS "last", count("value") AS "count" INTO ${ident(db)}.${ident(rollup.rp)}.:MEASUREMENT FROM ${ident(db)}.${ident(RAW_RP)}./.*/${where} GROUP BY time(${rollup.every}), *`;
}

export function createContinuousQuery(db: string, rollup: Rollup): string {
  return `CREATE CONTINUOUS QUERY ${ident(cqName(rollup))} ON ${ident(db)} BEGIN ${rollupFromRaw(db, rollup, '')} END`;
}

/**
 * The rollup windows in [from, to) computed again, for values that reached `raw` after the
 * continuous query had run. Minutes as the continuous query does; hours from their minutes
 * (means weighted by count: the same figures as from raw), which is 60 times fewer rows to read
 * when a long replay recomputes hour after hour. Needs READ and WRITE on the database only.
 */
export function recomputeRollup(db: string, rollup: Rollup, from: number, to: number): string {
  const range = ` WHERE time >= ${from}ms AND time < ${to}ms`;
  const [minutes] = ROLLUPS;
  if (rollup.rp === minutes.rp) return rollupFromRaw(db, rollup, range);
  const minuteRows = `SELECT "value" * "count" AS "total", "min", "max", "last", "count" FROM ${ident(db)}.${ident(minutes.rp)}./.*/${range} GROUP BY *`;
  return `SELECT sum("total") / sum("count") AS "value", min("min") AS "min", max("max") AS "max", last("last") AS "last", sum("count") AS "count" INTO ${ident(db)}.${ident(rollup.rp)}.:MEASUREMENT FROM (${minuteRows})${range} GROUP BY time(${rollup.every}), *`;
}

export const grantReadWrite = (db: string, user: string) => `GRANT ALL ON ${ident(db)} TO ${ident(user)}`;

/** Everything an admin runs to create the schema from nothing, in order. */
export function schemaStatements(settings: InfluxSchemaSettings): string[] {
  const db = settings.database;
  return [
    createDatabase(db),
    ...retentionPolicies(settings).map((p) => createPolicy(db, p)),
    ...ROLLUPS.map((rollup) => createContinuousQuery(db, rollup)),
  ];
}

// ------------------------------------------------------------------ comparison

export interface ExistingPolicy {
  name: string;
  duration: string;
  shardGroupDuration: string;
  isDefault: boolean;
}

/** The ALTER clauses that would make `have` what `want` says; none when they agree. */
export function policyDifferences(have: ExistingPolicy, want: RetentionPolicySpec): string[] {
  const clauses: string[] = [];
  if (influxDurationMs(have.duration) !== influxDurationMs(want.duration)) {
    clauses.push(`DURATION ${want.duration}`);
  }
  if (
    want.shardDuration !== undefined &&
    influxDurationMs(have.shardGroupDuration) !== influxDurationMs(want.shardDuration)
  ) {
    clauses.push(`SHARD DURATION ${want.shardDuration}`);
  }
  if (want.isDefault && !have.isDefault) clauses.push('DEFAULT');
  return clauses;
}

// ------------------------------------------------------------------ reconciling with a server

/** One series of an InfluxQL answer: `name` (SHOW CONTINUOUS QUERIES: the database), rows. */
export interface Series {
  name?: string;
  columns: string[];
  values?: unknown[][];
}

/**
 * Runs one statement (POST when it changes something) and gives the series of its one
 * result; rejects with the server's error, carrying `statusCode` when the HTTP status said so.
 */
export type RunStatement = (statement: string, change: boolean) => Promise<Series[]>;

export interface AdminStatement {
  statement: string;
  why: string;
}

export interface SchemaReport {
  /** Statements this user ran. */
  done: string[];
  /** What this user may not run, for an admin. */
  forAdmin: AdminStatement[];
  /** What this user may not even look at. */
  unchecked: string[];
  /** Without these the gateway cannot write at all (the database or `raw` is missing). */
  blocking: boolean;
}

/** influxd answers a statement the user lacks the privilege for with HTTP 403. */
export function isForbidden(err: unknown): boolean {
  return (err as { statusCode?: unknown }).statusCode === 403;
}

/** The name of the error a statement gets when influxd answered it with an error of its own. */
export const STATEMENT_ERROR = 'InfluxStatementError';

/**
 * influxd answered and said no: a statement error, or an HTTP 4xx other than a refused login
 * (a password changed meanwhile fails the writes too, which are retried). Asking again will not help.
 */
export function isRefused(err: unknown): boolean {
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status >= 400 && status < 500 && status !== 401;
  return (err as Error).name === STATEMENT_ERROR;
}

function rows(series: Series[]): Record<string, unknown>[] {
  return series.flatMap((s) =>
    (s.values ?? []).map((row) => Object.fromEntries(s.columns.map((column, i) => [column, row[i]]))),
  );
}

/**
 * Create what is missing and alter what differs, as far as this user may. What it may not
 * do or check goes into the report instead of failing, so that a least-privilege account
 * starts on a schema an admin created.
 */
export async function reconcileSchema(
  run: RunStatement,
  settings: InfluxSchemaSettings,
): Promise<SchemaReport> {
  const db = settings.database;
  const report: SchemaReport = { done: [], forAdmin: [], unchecked: [], blocking: false };
  const attempt = async (statement: string, why: string, blocking: boolean): Promise<boolean> => {
    try {
      await run(statement, true);
      report.done.push(statement);
      return true;
    } catch (err) {
      if (!isForbidden(err)) throw err;
      report.forAdmin.push({ statement, why });
      report.blocking ||= blocking;
      return false;
    }
  };
  const grant = settings.username
    ? [
        {
          statement: grantReadWrite(db, settings.username),
          why: `user "${settings.username}" needs READ and WRITE on it`,
        },
      ]
    : [];

  const databases = rows(await run('SHOW DATABASES', false)).map((r) => r.name);
  if (!databases.includes(db)) {
    const why = `database "${db}" is missing, or this user has no privilege on it`;
    if (!(await attempt(createDatabase(db), why, true))) {
      // Nothing inside it can be checked: the admin creates it all.
      report.forAdmin.push(
        ...schemaStatements(settings)
          .slice(1)
          .map((statement) => ({ statement, why })),
        ...grant,
      );
      return report;
    }
  }

  let policies: Series[];
  try {
    policies = await run(`SHOW RETENTION POLICIES ON ${ident(db)}`, false);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    report.unchecked.push(
      `retention policies and continuous queries of "${db}" (the user has no READ on it)`,
    );
    report.forAdmin.push(...grant);
    return report;
  }
  const existing = new Map(
    rows(policies).map((r) => [
      String(r.name),
      {
        name: String(r.name),
        duration: String(r.duration),
        shardGroupDuration: String(r.shardGroupDuration),
        isDefault: r.default === true,
      },
    ]),
  );
  for (const want of retentionPolicies(settings)) {
    const have = existing.get(want.name);
    if (!have) {
      await attempt(
        createPolicy(db, want),
        `retention policy "${want.name}" is missing`,
        want.name === RAW_RP,
      );
      continue;
    }
    const clauses = policyDifferences(have, want);
    if (clauses.length > 0) {
      const why = `retention policy "${want.name}" has duration ${have.duration}, shard duration ${have.shardGroupDuration}${have.isDefault ? ', default' : ''}; the configuration asks for ${clauses.join(', ')}`;
      await attempt(alterPolicy(db, want, clauses), why, false);
    }
  }

  let cqs: Series[];
  try {
    cqs = await run('SHOW CONTINUOUS QUERIES', false);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    report.unchecked.push(`continuous queries of "${db}"`);
    return report;
  }
  // SHOW CONTINUOUS QUERIES lists every database's, one series per database.
  const ours = new Set(rows(cqs.filter((s) => s.name === db)).map((r) => r.name));
  for (const rollup of ROLLUPS) {
    if (ours.has(cqName(rollup))) continue;
    await attempt(
      createContinuousQuery(db, rollup),
      `continuous query "${cqName(rollup)}" is missing (no ${rollup.rp} rollups without it)`,
      false,
    );
  }
  return report;
}
