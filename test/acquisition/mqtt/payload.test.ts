import { describe, expect, it } from 'vitest';
import { mapPayload, parseTimestamp } from '../../../src/acquisition/mqtt/index.js';
import { plantConfig } from '../../helpers/plant-config.js';

const config = plantConfig({
  profiles: [
    {
      id: 'wm',
      name: 'Water meter',
      equipment: 'water-meter',
      protocol: 'mqtt',
      timestamp: 'ts',
      points: [
        { name: 'volume_m3', json: 'meter.total_l', scale: 0.001, counter: true, unit: 'm³' },
        { name: 'flow_m3h', json: 'flow_m3h', range: [0, 100], unit: 'm³/h' },
      ],
    },
  ],
  devices: [{ id: 'wm1', name: 'WM 1', profile: 'wm', mqtt: { topic: 'meters/water/b1' } }],
});
const device = config.devices[0] as Extract<(typeof config.devices)[number], { mqtt: unknown }>;
const profile = config.profiles.get('wm') as Extract<
  ReturnType<typeof config.profiles.get>,
  { protocol: 'mqtt' }
>;

describe('mapPayload', () => {
  it('takes nested fields, scales them and uses the payload timestamp', () => {
    const { values, problems } = mapPayload(
      device,
      profile,
      '{"meter":{"total_l":123456},"flow_m3h":3.5,"ts":"2026-11-25T02:00:00Z"}',
      0,
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
      5,
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

  it('marks a value outside its range out-of-range', () => {
    const { values } = mapPayload(
      device,
      profile,
      '{"flow_m3h":250,"meter":{"total_l":1},"ts":"2026-11-25T02:00:00Z"}',
      0,
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
