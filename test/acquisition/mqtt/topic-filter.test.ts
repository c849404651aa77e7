import { describe, expect, it } from 'vitest';
import { filterWithin, topicMatches } from '../../../src/acquisition/mqtt/index.js';

describe('topicMatches', () => {
  it.each([
    ['meters/#', 'meters/water/admin', true],
    ['meters/#', 'meters', true],
    ['meters/+/admin', 'meters/water/admin', true],
    ['meters/+/admin', 'meters/water/canteen', false],
    ['meters/+', 'meters/water/admin', false],
    ['#', '$SYS/broker/uptime', false],
    ['plantwatch/main/ch1/load_pct', 'plantwatch/main/ch1/load_pct', true],
    ['plantwatch/main/ch1', 'plantwatch/main/ch1/load_pct', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterWithin', () => {
  it('allows only subscriptions that stay inside the permitted filters', () => {
    expect(filterWithin('plantwatch/#', ['plantwatch/#'])).toBe(true);
    expect(filterWithin('plantwatch/main/+/power_kw', ['plantwatch/#'])).toBe(true);
    expect(filterWithin('#', ['plantwatch/#'])).toBe(false);
    expect(filterWithin('+/main/#', ['plantwatch/#'])).toBe(false);
    expect(filterWithin('meters/water/admin', ['meters/+/admin'])).toBe(true);
    expect(filterWithin('meters/+/admin', ['meters/water/admin'])).toBe(false);
  });
});
