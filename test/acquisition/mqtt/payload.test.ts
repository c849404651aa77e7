import { describe, expect, it } from 'vitest';
import { mapPayload, parseTimestamp } from '../../../src/acquisition/mqtt/index.js';
import { plantConfig } from '../../helpers/plant-config.js';

const wmProfile = {
  id: 'wm',
  name: 'Water meter',
  equipment: 'water-meter',
  protocol: 'mqtt',
  timestamp: 'ts',
  points: [
    { name: 'volume_m3', json: 'meter.total_l', scale: 0.001, counter: true, unit: 'm³' },
    { name: 'flow_m3h', json: 'flow_m3h', range: [0, 100], unit: 'm³/h' },
  ],
};
const config = plantConfig({
  profiles: [wmProfile],
  devices: [{ id: 'wm1', name: 'WM 1', profile: 'wm', mqtt: { topic: 'meters/water/b1' } }],
});
const device = config.devices[0] as Extract<(typeof config.devices)[number], { mqtt: unknown }>;
const profile = config.profiles.get('wm') as Extract<
  ReturnType<typeof config.profiles.get>,
  { protocol: 'mqtt' }
>;

/** When the readings below arrive: a few seconds after they were taken. */
const ARRIVAL = Date.parse('2026-11-25T02:00:05Z');

describe('mapPayload', () => {
  it('takes nested fields, scales them and uses the payload timestamp', () => {
    const { values, problems } = mapPayload(
      device,
      profile,
      '{"meter":{"total_l":123456},"flow_m3h":3.5,"ts":"2026-11-25T02:00:00Z"}',
      ARRIVAL,
    );
    expect(problems).toEqual([]);
    expect(values).toEqual([
      { id: 'wm1.volume_m3', value: 123.456, quality: 'good', ts: Date.parse('2026-11-25T02:00:00Z') },
      { id: 'wm1.flow_m3h', value: 3.5, quality: 'good', ts: Date.parse('2026-11-25T02:00:00Z') },
    ]);
  });

  it('publishes the good fields of a partly broken payload and names the broken ones', () => {
    const { values, problems } = mapPayload(
      device,
      profile,
      '{"flow_m3h":"3.5","meter":{"total_l":10},"ts":1764036000}',
      ARRIVAL,
    );
    expect(values.map((v) => v.id)).toEqual(['wm1.volume_m3']);
    expect(values[0]?.ts).toBe(1764036000 * 1000);
    expect(problems).toEqual(['"flow_m3h" is not a number']);
  });

  it.each([
    ['{"flow_m3h": oops', 'not valid JSON'],
    ['[1,2,3]', 'not a JSON object'],
    ['42', 'not a JSON object'],
    ['null', 'not a JSON object'],
  ])('rejects %s as %s without any value', (text, problem) => {
    const { values, problems } = mapPayload(device, profile, text, 0);
    expect(values).toEqual([]);
    expect(problems).toEqual([problem]);
  });

  it('scales to the decimals the meter sent: 1001 l is 1.001 m³, not 1.0010000000000001', () => {
    const { values } = mapPayload(device, profile, '{"meter":{"total_l":1001},"flow_m3h":1}', 0);
    expect(values.find((v) => v.id === 'wm1.volume_m3')?.value).toBe(1.001);
  });

  it('uses the arrival time for a payload without its timestamp, and calls only an unreadable one a problem', () => {
    const absent = mapPayload(device, profile, '{"meter":{"total_l":1},"flow_m3h":1}', 1234);
    expect(absent.problems).toEqual([]);
    expect(absent.values.map((v) => v.ts)).toEqual([1234, 1234]);
    const unreadable = mapPayload(device, profile, '{"meter":{"total_l":1},"flow_m3h":1,"ts":"soon"}', 1234);
    expect(unreadable.problems).toEqual(['timestamp "ts" unreadable: arrival time used']);
    expect(unreadable.values.map((v) => v.ts)).toEqual([1234, 1234]);
  });

  it('refuses a timestamp further ahead of arrival than the profile allows (maxClockSkew)', () => {
    const strict = plantConfig({
      profiles: [{ ...wmProfile, maxClockSkew: '10s' }],
      devices: [{ id: 'wm1', name: 'WM 1', profile: 'wm', mqtt: { topic: 'meters/water/b1' } }],
    }).profiles.get('wm') as typeof profile;
    const arrival = Date.parse('2026-11-25T02:00:00Z');
    const at = (aheadMs: number) =>
      mapPayload(
        device,
        strict,
        JSON.stringify({ flow_m3h: 1, meter: { total_l: 1 }, ts: arrival + aheadMs }),
        arrival,
      );
    expect(at(5_000).values[0]).toMatchObject({ quality: 'good', ts: arrival + 5_000 });
    expect(at(5_000).futureTs).toBeUndefined();
    expect(at(30_000).values[0]).toMatchObject({ value: null, quality: 'bad-timestamp', ts: arrival });
    expect(at(30_000).futureTs).toBe(arrival + 30_000);
    // The default allows a few minutes of meter clock drift.
    expect(
      mapPayload(device, profile, JSON.stringify({ ts: arrival + 60_000 }), arrival).futureTs,
    ).toBeUndefined();
  });

  it('marks a negative reading of a counter out-of-range', () => {
    const { values } = mapPayload(device, profile, '{"meter":{"total_l":-5},"flow_m3h":1}', 0);
    expect(values.find((v) => v.id === 'wm1.volume_m3')).toMatchObject({
      value: -0.005,
      quality: 'out-of-range',
    });
    expect(values.find((v) => v.id === 'wm1.flow_m3h')?.quality).toBe('good');
  });

  it('marks a value outside its range out-of-range', () => {
    const { values } = mapPayload(
      device,
      profile,
      '{"flow_m3h":250,"meter":{"total_l":1},"ts":"2026-11-25T02:00:00Z"}',
      ARRIVAL,
    );
    expect(values.find((v) => v.id === 'wm1.flow_m3h')?.quality).toBe('out-of-range');
  });
});

describe('parseTimestamp', () => {
  it('reads ISO strings, epoch seconds and epoch milliseconds', () => {
    expect(parseTimestamp('2026-11-25T00:00:00Z')).toBe(Date.parse('2026-11-25T00:00:00Z'));
    expect(parseTimestamp(1764028800)).toBe(1764028800000);
    expect(parseTimestamp(1764028800000)).toBe(1764028800000);
    expect(parseTimestamp('yesterday')).toBeUndefined();
  });
});
