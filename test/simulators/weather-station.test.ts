/**
 * The demo's outdoor weather station: what drives the cooling load, reported over MQTT as
 * a meter would, with day-to-day warm and cool spells for degree-day normalisation.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { payloadOf } from '../../simulators/mqtt-meters.js';
import { environmentAt, weatherOfTheWeek } from '../../simulators/physics/environment.js';
import { PlantModel } from '../../simulators/plant.js';
import { mapPayload } from '../../src/acquisition/mqtt/payload.js';
import { topicMatches } from '../../src/acquisition/mqtt/topic-filter.js';
import { loadConfig } from '../../src/config/index.js';
import type { MqttDeviceConfig } from '../../src/config/schema.js';
import { plantTime } from '../helpers/plant-time.js';

const config = loadConfig(resolve('config'));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function plantAt(time: number) {
  let now = time;
  const plant = new PlantModel(config, () => now);
  return {
    plant,
    advance(ms: number) {
      now += ms;
      plant.step();
    },
  };
}

describe('weather station', () => {
  it('is a device of the demo, on an MQTT topic the simulator may publish to', () => {
    const device = config.devices.find((d) => d.id === 'weather') as MqttDeviceConfig;
    expect(device).toMatchObject({
      name: 'Outdoor weather station',
      profile: 'weather-station',
      building: 'energy-centre',
      room: 'chiller-plant',
      mqtt: { topic: 'meters/weather/roof' },
    });
    expect(config.profiles.get('weather-station')).toMatchObject({
      equipment: 'weather-station',
      staleAfter: 120_000,
    });
    const broker = config.gateway.mqtt?.broker;
    const simulator =
      broker?.mode === 'embedded' ? broker.users.find((u) => u.username === 'simulator') : undefined;
    expect(simulator?.publish.some((filter) => topicMatches(filter, device.mqtt.topic))).toBe(true);
    expect(config.simulation.devices.weather).toEqual({ publishEvery: 30 });
  });

  it('reports the outdoor temperature that drives the cooling load, and a plausible humidity', () => {
    const afternoon = plantTime(config, '2026-07-15T15:00');
    const dawn = plantTime(config, '2026-07-16T05:00');
    const { plant, advance } = plantAt(afternoon);
    const hot = plant.values('weather');
    expect(Number(hot.outdoor_temp_c)).toBeCloseTo(plant.env.outdoorC, 0);
    advance(dawn - afternoon);
    const cool = plant.values('weather');
    expect(Number(cool.outdoor_temp_c)).toBeCloseTo(plant.env.outdoorC, 0);
    expect(Number(cool.outdoor_temp_c)).toBeLessThan(Number(hot.outdoor_temp_c) - 8);
    // The same air holds less relative moisture when it is warmer.
    expect(Number(hot.outdoor_rh_pct)).toBeGreaterThan(30);
    expect(Number(cool.outdoor_rh_pct)).toBeGreaterThan(Number(hot.outdoor_rh_pct) + 15);
    expect(Number(cool.outdoor_rh_pct)).toBeLessThanOrEqual(100);
  });

  it('publishes JSON the gateway maps back to the same values', () => {
    const time = plantTime(config, '2026-07-15T12:00');
    const { plant } = plantAt(time);
    const device = config.devices.find((d) => d.id === 'weather') as MqttDeviceConfig;
    const profile = config.profiles.get('weather-station');
    if (profile?.protocol !== 'mqtt') throw new Error('weather-station should be an MQTT profile');
    const values = plant.values('weather');
    const { values: mapped, problems } = mapPayload(
      device,
      profile,
      payloadOf(profile, values, time),
      time + 500,
    );
    expect(problems).toEqual([]);
    expect(mapped.map((v) => [v.id, v.quality, v.ts])).toEqual([
      ['weather.outdoor_temp_c', 'good', time],
      ['weather.outdoor_rh_pct', 'good', time],
    ]);
    expect(mapped[0]?.value).toBeCloseTo(Number(values.outdoor_temp_c), 2);
  });

  it('varies from day to day around the configured mean, deterministically', () => {
    const weather = config.simulation.weather;
    const dailyMeans = Array.from({ length: 60 }, (_, day) => {
      const temps = Array.from(
        { length: 24 },
        (_, h) => environmentAt(day * DAY + h * HOUR, weather).outdoorC,
      );
      return temps.reduce((s, t) => s + t, 0) / temps.length;
    });
    expect(Math.max(...dailyMeans) - Math.min(...dailyMeans)).toBeGreaterThan(4);
    const mean = dailyMeans.reduce((s, t) => s + t, 0) / dailyMeans.length;
    expect(mean).toBeCloseTo(weather.meanC, 0);
    for (let t = 0; t < 365 * DAY; t += 7 * HOUR)
      expect(Math.abs(weatherOfTheWeek(t))).toBeLessThanOrEqual(3.5);
    expect(environmentAt(12_345_678, weather)).toEqual(environmentAt(12_345_678, weather));
  });
});
