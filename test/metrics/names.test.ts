/**
 * What a Prometheus server makes of a real gateway's /metrics: every `*_total` is a counter
 * (rate() and increase() are only right on counters), no doubled prefix, one TYPE per name,
 * and a counter rises after the event it counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/wait.js';
import { jsonRequest } from '../helpers/web.js';
import { type GatewayRig, startGatewayRig } from '../security/gateway-rig.js';

let rig: GatewayRig;
beforeAll(async () => {
  rig = await startGatewayRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

const scrape = async () => (await jsonRequest(`${rig.url}/metrics`, { cookie: rig.cookies.admin })).text;

/** Metric name -> the types its `# TYPE` lines declare. */
function declaredTypes(text: string): Map<string, string[]> {
  const types = new Map<string, string[]>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (name === undefined || type === undefined) continue;
    types.set(name, [...(types.get(name) ?? []), type]);
  }
  return types;
}

/** The value of the sample line `series` (name and labels as written), if any. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metric names a scraper trusts', () => {
  it('declares every *_total as a counter, each name once, with no doubled prefix', async () => {
    const types = declaredTypes(await scrape());
    expect(types.size).toBeGreaterThan(20);
    const totals = [...types].filter(([name]) => name.endsWith('_total'));
    expect(totals.map(([name]) => name)).toContain('plantwatch_points_published_total');
    expect(totals.filter(([, declared]) => declared.join() !== 'counter').map(([name]) => name)).toEqual([]);
    expect([...types].filter(([, declared]) => declared.length !== 1).map(([name]) => name)).toEqual([]);
    expect([...types.keys()].filter((name) => name.includes('process_process'))).toEqual([]);
    expect([...types.keys()].filter((name) => !name.startsWith('plantwatch_'))).toEqual([]);
  });

  it('counts point values published and alarm transitions: the counters rise after each', async () => {
    const before = await scrape();
    const published = sample(before, 'plantwatch_points_published_total') ?? Number.NaN;
    const transitions = sample(before, 'plantwatch_alarm_events_total') ?? Number.NaN;
    rig.gateway.bus.publish([{ id: 'ch1.tripped', value: true, quality: 'good', ts: Date.now() }]);
    const after = await until('the chiller trip counted', async () => {
      const text = await scrape();
      return (sample(text, 'plantwatch_alarm_events_total') ?? 0) > transitions && text;
    });
    expect(sample(after, 'plantwatch_points_published_total')).toBeGreaterThan(published);
    expect(declaredTypes(after).get('plantwatch_alarm_events_total')).toEqual(['counter']);
  });
});
