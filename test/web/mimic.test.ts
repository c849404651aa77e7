/**
 * Each room's mimic model, from the configuration: symbols by equipment, pump duties, breaker
 * ratings, passive equipment, the metering trees, hand placements; and the API that serves it
 * (signed-in users only, 404 for a room that does not exist).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimicModel } from '../../src/api-types/mimic.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { mimicModels } from '../../src/web/mimic.js';
import { demoWebServer, login } from '../auth/harness.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { jsonRequest } from '../helpers/web.js';

let demo: PlantConfig;
const model = (config: PlantConfig, key: string): MimicModel => {
  const [site = '', building = '', room = ''] = key.split('/');
  const found = mimicModels(config)(site, building, room);
  if (!found) throw new Error(`no mimic for ${key}`);
  return found;
};
const bySymbol = (m: MimicModel) => {
  const out: Record<string, string[]> = {};
  for (const item of m.items) out[item.symbol] = [...(out[item.symbol] ?? []), item.id];
  return out;
};

beforeAll(() => {
  demo = loadConfig('config');
});

describe('the mimic model of the demo plant', () => {
  it('gives the chiller plant its chillers, its pumps by loop and its cooling towers', () => {
    const m = model(demo, 'main/energy-centre/chiller-plant');
    expect(m.kind).toBe('chiller-plant');
    const symbols = bySymbol(m);
    expect(symbols.chiller).toEqual(['ch1', 'ch2']);
    expect(symbols['cooling-tower']).toHaveLength(2);
    const duty = Object.fromEntries(m.items.filter((i) => i.symbol === 'pump').map((i) => [i.id, i.duty]));
    expect(duty).toEqual({
      pchw1: 'chilled-water',
      pchw2: 'chilled-water',
      pcw1: 'condenser-water',
      pcw2: 'condenser-water',
    });
    // The weather station is no plant symbol: drawn as a generic device.
    expect(symbols.device).toEqual(['weather']);
    expect(m.items.find((i) => i.id === 'ch1')).toMatchObject({ device: 'ch1', name: 'Chiller 1' });
  });

  it('gives a distribution room its incomer, its feeders below it with their ratings, and its capacity', () => {
    const m = model(demo, 'main/inpatient/dr1');
    expect(m.ratedKva).toBe(2500);
    const symbols = bySymbol(m);
    expect(symbols.incomer).toEqual(['dr1-incomer']);
    expect(symbols.feeder).toEqual(['dr1-f1', 'dr1-f2', 'dr1-f3', 'dr1-f4']);
    for (const feeder of m.items.filter((i) => i.symbol === 'feeder')) {
      expect(feeder.parent).toBe('dr1-incomer');
      expect(feeder.ratingA).toBeGreaterThan(0);
    }
  });

  it('gives the pump room booster pumps, its pressure vessel and its pressure setpoint', () => {
    const m = model(demo, 'main/energy-centre/pump-room');
    expect(m.items.filter((i) => i.symbol === 'pump').map((i) => [i.id, i.duty])).toEqual([
      ['pbw1', 'booster'],
      ['pbw2', 'booster'],
    ]);
    expect(bySymbol(m)['pressure-vessel']).toHaveLength(1);
    expect(m.setpoint).toEqual({ value: expect.any(Number), unit: 'bar' });
  });

  it('gives the oxygen station its tank and vaporisers', () => {
    const symbols = bySymbol(model(demo, 'main/energy-centre/oxygen-station'));
    expect(symbols['oxygen-station']).toEqual(['o2-station']);
    expect(symbols.vaporiser).toHaveLength(2);
  });

  it("gives a water meter pit the site's whole meter tree, its own meter without a room", () => {
    const m = model(demo, 'main/inpatient/water-inpatient');
    const meters = m.items.filter((i) => i.symbol === 'meter');
    expect(meters.map((i) => i.id).sort()).toEqual(
      ['wm-admin', 'wm-canteen', 'wm-energy-centre', 'wm-inpatient', 'wm-outpatient', 'wm-surgical'].sort(),
    );
    expect(meters.filter((i) => !i.room).map((i) => i.id)).toEqual(['wm-inpatient']);
    expect(meters.find((i) => i.id === 'wm-surgical')?.room).toBe('main/surgical/water-surgical');
    expect(m.siteName).toBe('Main Hospital');
  });

  it('gives every room of the demo a mimic', () => {
    const models = mimicModels(demo);
    for (const site of demo.sites)
      for (const b of site.buildings)
        for (const r of b.rooms) expect(models(site.id, b.id, r.id)?.kind, r.id).toBe(r.kind);
    expect(models('main', 'inpatient', 'no-such-room')).toBeUndefined();
  });
});

describe('the mimic model of a changed configuration', () => {
  let copy: DemoConfig;
  let config: PlantConfig;
  beforeAll(async () => {
    copy = await demoConfigCopy();
    await editYaml(join(copy.dir, 'site.yaml'), (doc) => {
      const plant = doc.getIn(['sites', 0, 'buildings', 5, 'rooms', 0]) as { get(k: string): unknown };
      expect(plant.get('id')).toBe('chiller-plant');
      doc.setIn(
        ['sites', 0, 'buildings', 5, 'rooms', 0, 'mimic', 'layout'],
        doc.createNode({ ch2: { x: 40, y: 300 } }),
      );
    })();
    await editYaml(join(copy.dir, 'energy.yaml'), (doc) => {
      doc.setIn(
        ['water', 'mains'],
        doc.createNode(['wm-inpatient', 'wm-outpatient', 'wm-admin', 'wm-canteen', 'wm-energy-centre']),
      );
      doc.setIn(['water', 'parents'], doc.createNode({ 'wm-surgical': 'wm-inpatient' }));
    })();
    config = loadConfig(copy.dir);
  });
  afterAll(() => copy?.cleanup());

  it("places a symbol where the room's mimic.layout puts it by hand, and leaves the others to the layout", () => {
    const m = model(config, 'main/energy-centre/chiller-plant');
    expect(m.items.find((i) => i.id === 'ch2')?.at).toEqual({ x: 40, y: 300 });
    expect(m.items.find((i) => i.id === 'ch1')?.at).toBeUndefined();
  });

  it('hangs a sub-meter under the meter energy.yaml names as its parent', () => {
    const m = model(config, 'main/admin/water-admin');
    expect(m.items.find((i) => i.id === 'wm-surgical')?.parent).toBe('wm-inpatient');
    expect(m.items.find((i) => i.id === 'wm-inpatient')?.parent).toBeUndefined();
  });
});

describe('GET /api/rooms/:site/:building/:room/mimic', () => {
  let server: Awaited<ReturnType<typeof demoWebServer>>;
  beforeAll(async () => {
    server = await demoWebServer({ mimics: mimicModels(demo) });
  });
  afterAll(() => server?.stop());

  it("answers a signed-in user with the room's model, and 404 for a room that does not exist", async () => {
    const { cookie } = await login(server.web.url, 'manager', 'manager-demo');
    const ok = await jsonRequest(`${server.web.url}/api/rooms/main/inpatient/dr1/mimic`, {
      cookie: cookie ?? '',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(model(demo, 'main/inpatient/dr1'));
    const missing = await jsonRequest(`${server.web.url}/api/rooms/main/inpatient/dr9/mimic`, {
      cookie: cookie ?? '',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/dr9/);
  });

  it('refuses a browser that is not signed in', async () => {
    const res = await jsonRequest(`${server.web.url}/api/rooms/main/inpatient/dr1/mimic`);
    expect(res.status).toBe(401);
  });
});
