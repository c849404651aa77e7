/** Hostile MQTT device payloads as text, shared by the payload and the broker fuzz tests. */
import fc from 'fast-check';

/** JSON paths a profile may name, the hostile ones included. */
export const PATHS = [
  '.',
  'flow',
  'total',
  'meter.total',
  'meter.flow.value',
  'ts',
  'meta.ts',
  '__proto__',
  '__proto__.polluted',
  'constructor',
  'constructor.prototype',
  'constructor.prototype.polluted',
  'toString',
  'hasOwnProperty',
  'length',
  '0',
  '流量',
  'a..b',
  '',
] as const;

// ---------------------------------------------------------------- payloads

/** Raw JSON number tokens, written as text: JSON.parse turns 1e400 into Infinity. */
const numberToken = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '123456789012345678901234567890',
    '9e15',
    '8.64e15',
    '1e11',
  ),
  fc.integer().map(String),
);

/** Values as JSON text (built by hand so "__proto__" keys and duplicate keys reach the parser). */
const valueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberToken,
    fc.constantFrom('true', 'false', 'null', '"NaN"', '"Infinity"', '"-Infinity"', '"1e400"', '"12.5"', '""'),
    fc.constantFrom('"2026-03-02T07:00:00Z"', '"not a date"', '"+275760-09-13T00:00:00.001Z"', '"0"'),
    fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => JSON.stringify(s)),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(fc.constantFrom(...PATHS, 'prototype', 'polluted', 'flow', 'value'), tie('value')), {
        maxLength: 4,
      })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** An object whose keys are the profile's own path segments, so values do land on points. */
const objectText = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'flow',
        'total',
        'meter',
        'ts',
        'meta',
        '__proto__',
        'constructor',
        '流量',
        '0',
        'length',
      ),
      valueText,
    ),
    { maxLength: 8 },
  )
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

export const payloadArb = fc.oneof(
  { weight: 5, arbitrary: objectText },
  { weight: 2, arbitrary: valueText },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('utf8')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'NaN',
      'Infinity',
      '-Infinity',
      'undefined',
      '',
      ' ',
      '{',
      '{"flow":}',
      '\u0000',
    ),
  },
  {
    weight: 1,
    // Deep nesting: as an object path the parser must walk, and as unbalanced garbage.
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('obj', 'arr', 'open'))
      .map(([depth, shape]) =>
        shape === 'obj'
          ? `${'{"meter":'.repeat(depth)}1${'}'.repeat(depth)}`
          : shape === 'arr'
            ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
            : '{"flow":['.repeat(depth),
      ),
  },
);
