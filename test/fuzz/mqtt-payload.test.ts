/**
 * Fuzz: what an MQTT device may send. mapPayload gets arbitrary JSON, non-JSON bytes, deep
 * nesting, huge numbers, "NaN"/"Infinity", wrong types, prototype-pollution keys and
 * unicode against random profiles (paths, scales, ranges, timestamps); the topic filters
 * get random filters and topics from a small alphabet (so that they collide often).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterWithin, mapPayload, payloadFor, topicMatches } from '../../src/acquisition/mqtt/index.js';
import type { MappedPayload } from '../../src/acquisition/mqtt/payload.js';
import type { MqttDeviceConfig, MqttProfile } from '../../src/config/schema.js';
import { profileFile } from '../../src/config/schema.js';
import { PATHS, payloadArb } from './arbitraries.js';
import { fuzz, prototypeSnapshot, SEED } from './fuzz.js';

// ---------------------------------------------------------------- profiles

const finiteOrHuge = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1, 0.1, 0.001, 10, -1, 1e300, -1e300, 1e-300, 0),
);

const profileArb = fc
  .record({
    points: fc.array(
      fc.record({
        json: fc.constantFrom(...PATHS.filter((p) => p !== '')),
        kind: fc.constantFrom('analog', 'state', undefined),
        counter: fc.boolean(),
        scale: fc.oneof(fc.constant(1), finiteOrHuge),
        offset: fc.oneof(fc.constant(0), finiteOrHuge),
        range: fc.option(
          fc.tuple(finiteOrHuge, finiteOrHuge).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
          { nil: undefined },
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    timestamp: fc.option(fc.constantFrom('ts', 'meta.ts', '__proto__', 'constructor', '.'), {
      nil: undefined,
    }),
  })
  .map(({ points, timestamp }) => {
    // Through the real schema: defaults and validation as from a profile file.
    const profile = profileFile.parse({
      id: 'meter',
      name: 'Meter',
      equipment: 'water-meter',
      protocol: 'mqtt',
      ...(timestamp ? { timestamp } : {}),
      points: points.map((p, i) => ({
        name: `p${i}`,
        json: p.json,
        scale: p.scale,
        offset: p.offset,
        counter: p.counter,
        ...(p.kind ? { kind: p.kind } : {}),
        ...(p.range ? { range: p.range } : {}),
      })),
    });
    return profile as MqttProfile;
  });

const device = { id: 'wm-fuzz' } as MqttDeviceConfig;

// ---------------------------------------------------------------- the property

/**
 * What a caller may rely on, as one check: a reason when `result` breaks it.
 * - every value is one of the profile's points, once;
 * - a boolean only for a state point, and good; a number always finite, and good only inside
 *   its range, and for a counter not below zero (a non-finite number with quality good would
 *   reach alarms, storage and the dashboard as "Infinity" or null while looking healthy);
 * - the time of a value is a real date: the republisher and the REST API print it with
 *   toISOString, which throws on an invalid Date; never further ahead of arrival than the
 *   profile's maxClockSkew: a reading stamped further is refused (null, bad-timestamp, at arrival);
 * - a point without a value is explained by a problem (never silently dropped), or the whole
 *   payload is refused with one.
 */
function violation(profile: MqttProfile, result: MappedPayload, arrival: number): string | undefined {
  if (!Array.isArray(result.values) || !Array.isArray(result.problems)) return 'not { values, problems }';
  if (result.problems.some((p) => typeof p !== 'string' || p.length === 0)) return 'an empty problem';
  const byId = new Map(profile.points.map((p) => [`${device.id}.${p.name}`, p]));
  const seen = new Set<string>();
  for (const v of result.values) {
    const point = byId.get(v.id);
    if (!point) return `value for unknown point ${v.id}`;
    if (seen.has(v.id)) return `two values for ${v.id}`;
    seen.add(v.id);
    if (v.ts > arrival + profile.maxClockSkew) return `time ${v.ts} ahead of arrival ${arrival}`;
    if ((v.quality === 'bad-timestamp') !== (result.futureTs !== undefined))
      return `${v.quality} vs futureTs`;
    if (v.quality === 'bad-timestamp') {
      if (v.value !== null || v.ts !== arrival)
        return `bad-timestamp ${v.value} at ${v.ts}: not null at arrival`;
    } else if (typeof v.value === 'boolean') {
      if (point.kind !== 'state') return `boolean for analog point ${v.id}`;
      if (v.quality !== 'good') return `boolean with quality ${v.quality}`;
    } else if (typeof v.value === 'number') {
      if (!Number.isFinite(v.value)) return `non-finite ${v.value} with quality ${v.quality}`;
      const inRange =
        (!point.range || (v.value >= point.range[0] && v.value <= point.range[1])) &&
        !(point.counter && v.value < 0);
      if (v.quality === 'good' && !inRange) return `${v.value} outside ${point.range} marked good`;
      if (v.quality !== 'good' && v.quality !== 'out-of-range') return `quality ${v.quality}`;
      if (v.quality === 'out-of-range' && inRange) return `${v.value} inside range marked out-of-range`;
    } else return `value ${String(v.value)} of type ${typeof v.value}`;
    if (!Number.isFinite(new Date(v.ts).getTime())) return `timestamp ${v.ts} is not a date`;
    try {
      payloadFor(v, '');
    } catch (err) {
      return `republishing the value throws ${String(err)}`;
    }
  }
  // A payload refused as a whole ("not valid JSON") explains every point at once.
  const missing = profile.points.length - result.values.length;
  if (result.values.length === 0 ? result.problems.length === 0 : result.problems.length < missing)
    return `${missing} points without a value, ${result.problems.length} problems`;
  return undefined;
}

type Mapper = typeof mapPayload;

function payloadProperty(mapper: Mapper) {
  return fc.property(profileArb, payloadArb, fc.integer({ min: 0, max: 2e12 }), (profile, text, arrival) => {
    const untouched = prototypeSnapshot();
    let result: MappedPayload;
    try {
      result = mapper(device, profile, text, arrival);
    } catch (err) {
      throw new Error(`mapPayload threw on ${JSON.stringify(text.slice(0, 200))}: ${String(err)}`);
    }
    const broken = violation(profile, result, arrival) ?? untouched();
    if (broken) throw new Error(`${broken}\n  payload: ${JSON.stringify(text.slice(0, 200))}`);
    return true;
  });
}

describe('fuzz: MQTT device payloads', () => {
  it('mapPayload never throws, maps only finite, dated values and explains every point it drops', async () => {
    const summary = await fuzz('mqtt mapPayload', payloadProperty(mapPayload), 10_000);
    expect(summary.failures).toBe(0);
  });

  // The property can fail: three broken mappers a careless change could produce, each caught.
  it.each<[string, Mapper]>([
    [
      // JSON.parse outside a try: garbage throws instead of being counted as malformed.
      'throws on non-JSON',
      (d, p, text, arrival) => {
        JSON.parse(text);
        return mapPayload(d, p, text, arrival);
      },
    ],
    [
      // Number() on strings: "Infinity" and "1e400" become Infinity with quality good.
      'coerces strings with Number()',
      (d, p, text, arrival) => {
        const out = mapPayload(d, p, text, arrival);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return out;
        }
        const raw = (parsed as Record<string, unknown> | null)?.flow;
        const point = p.points.find((q) => q.json === 'flow');
        if (point && typeof raw === 'string' && raw !== '')
          out.values.push({ id: `${d.id}.${point.name}`, value: Number(raw), quality: 'good', ts: arrival });
        return out;
      },
    ],
    [
      // Believes any clock: a meter stamping next year gives good values that age negatively.
      'keeps a timestamp from the future',
      (d, p, text, arrival) => mapPayload(d, { ...p, maxClockSkew: Number.POSITIVE_INFINITY }, text, arrival),
    ],
    [
      // Drops a point without saying why.
      'drops a point silently',
      (d, p, text, arrival) => {
        const out = mapPayload(d, p, text, arrival);
        return { values: out.values, problems: [] };
      },
    ],
  ])('the property catches a mapper that %s', (_what, mapper) => {
    const details = fc.check(payloadProperty(mapper), { seed: SEED, numRuns: 20_000 });
    expect(details.failed).toBe(true);
  });
});

// ---------------------------------------------------------------- topic filters

const LEVELS = ['a', 'b', '', '$SYS', '$x', 'é', '🚀', 'a b', '+', '#', 'a+', '#a'];
const CONCRETE = LEVELS.filter((l) => !l.includes('+') && !l.includes('#'));
const topicArb = fc
  .array(fc.constantFrom(...CONCRETE), { minLength: 1, maxLength: 5 })
  .map((l) => l.join('/'));
const filterArb = fc
  .array(fc.constantFrom(...LEVELS), { minLength: 1, maxLength: 5 })
  .map((l) => l.join('/'));

/** A filter derived from a topic (levels turned into "+", the tail into "#"), so it often matches. */
const filterFromTopic = (topic: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    )
    .map(([plus, cut]) => {
      const levels = topic.split('/').map((l, i) => (plus[i] ? '+' : l));
      return cut === undefined || cut >= levels.length
        ? levels.join('/')
        : [...levels.slice(0, cut), '#'].join('/');
    });

/** MQTT 3.1.1 §4.7, written independently: the oracle topicMatches must agree with. */
function specMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  const valid = f.every(
    (l, i) => (l === '#' ? i === f.length - 1 : !l.includes('#')) && (l === '+' || !l.includes('+')),
  );
  if (!valid) return false;
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  const walk = (i: number): boolean => {
    if (i === f.length) return i === t.length;
    if (f[i] === '#') return true; // also the parent level: "a/#" matches "a"
    if (i === t.length) return false;
    return (f[i] === '+' || f[i] === t[i]) && walk(i + 1);
  };
  return walk(0);
}

describe('fuzz: MQTT topic filters (the broker ACL)', () => {
  it('topicMatches agrees with the MQTT specification', async () => {
    // A broken matcher (say "+" matching several levels, or "#" matching "$SYS") disagrees on
    // topics this alphabet produces within a few hundred cases.
    const arb = topicArb.chain((topic) =>
      fc.tuple(fc.oneof(filterFromTopic(topic), filterArb), fc.constant(topic)),
    );
    const summary = await fuzz(
      'mqtt topicMatches vs spec',
      fc.property(arb, ([filter, topic]) => topicMatches(filter, topic) === specMatches(filter, topic)),
      20_000,
    );
    expect(summary.failures).toBe(0);
  });

  it('a subscription allowed by filterWithin never receives a topic its allowed filters do not match', async () => {
    // The ACL promise: every topic the requested filter matches is matched by an allowed
    // filter. For a concrete topic, "covered" and "matched" must be the same answer; a
    // covering check that forgot the "$" rule lets a user allowed "#" read "$SYS/...".
    const arb = topicArb.chain((topic) =>
      fc.tuple(
        fc.constant(topic),
        fc.oneof(filterFromTopic(topic), filterArb),
        fc.array(fc.oneof(filterFromTopic(topic), filterArb), { minLength: 1, maxLength: 3 }),
      ),
    );
    const summary = await fuzz(
      'mqtt filterWithin sound',
      fc.property(arb, ([topic, requested, allowed]) => {
        if (filterWithin(topic, allowed) !== allowed.some((a) => topicMatches(a, topic)))
          throw new Error(`concrete "${topic}": covered ≠ matched by ${JSON.stringify(allowed)}`);
        if (filterWithin(requested, allowed) && topicMatches(requested, topic))
          if (!allowed.some((a) => topicMatches(a, topic)))
            throw new Error(`"${requested}" allowed within ${JSON.stringify(allowed)} receives "${topic}"`);
        return true;
      }),
      20_000,
    );
    expect(summary.failures).toBe(0);
  });
});
