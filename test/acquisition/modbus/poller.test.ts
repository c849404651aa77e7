/**
 * The Modbus poller against a real Modbus TCP server on loopback: request counts from
 * coalescing, splitting of refused blocks, dead units on a shared gateway, recovery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRegisters } from '../../../src/acquisition/modbus/codec.js';
import { type ModbusService, startModbus } from '../../../src/acquisition/modbus/index.js';
import { silentLogger } from '../../../src/log/index.js';
import type { PointValue } from '../../../src/points/index.js';
import { startTcpDevice, type TcpDevice, type UnitMap } from '../../helpers/modbus-tcp-device.js';
import { plantConfig } from '../../helpers/plant-config.js';
import { recordingBus } from '../../helpers/recorder.js';
import { sleep, until } from '../../helpers/wait.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

function meterProfile(extra: object = {}) {
  return {
    id: 'meter',
    name: 'Meter',
    equipment: 'power-meter',
    protocol: 'modbus',
    pollGroups: { fast: '200ms' },
    maxGap: 10,
    points: [
      {
        name: 'voltage',
        table: 'holding',
        address: 0,
        type: 'uint16',
        scale: 0.1,
        poll: 'fast',
        range: [0, 500],
      },
      { name: 'current', table: 'holding', address: 1, type: 'uint16', scale: 0.01, poll: 'fast' },
      { name: 'power', table: 'holding', address: 2, type: 'float32', order: 'CDAB', poll: 'fast' },
      { name: 'energy', table: 'holding', address: 10, type: 'uint32', poll: 'fast', counter: true },
    ],
    ...extra,
  };
}

/** Registers of the meter profile holding the given engineering values. */
function meterRegisters(v: {
  voltage: number;
  current: number;
  power: number;
  energy: number;
}): Record<number, number> {
  const words = [
    ...encodeRegisters({ type: 'uint16', order: 'ABCD', table: 'holding', scale: 0.1, offset: 0 }, v.voltage),
    ...encodeRegisters(
      { type: 'uint16', order: 'ABCD', table: 'holding', scale: 0.01, offset: 0 },
      v.current,
    ),
    ...encodeRegisters({ type: 'float32', order: 'CDAB', table: 'holding', scale: 1, offset: 0 }, v.power),
  ];
  const energy = encodeRegisters(
    { type: 'uint32', order: 'ABCD', table: 'holding', scale: 1, offset: 0 },
    v.energy,
  );
  return { 0: words[0]!, 1: words[1]!, 2: words[2]!, 3: words[3]!, 10: energy[0]!, 11: energy[1]! };
}

interface Rig {
  device: TcpDevice;
  modbus: ModbusService;
  latest: Map<string, PointValue>;
  history: PointValue[];
}

async function rig(
  units: Record<number, UnitMap>,
  options: { profile?: object; line?: object } = {},
): Promise<Rig> {
  const device = await startTcpDevice(units);
  running.push(device);
  const config = plantConfig({
    lines: [
      {
        id: 'gw',
        transport: 'tcp',
        host: '127.0.0.1',
        port: device.port,
        timeout: 150,
        retries: 0,
        backoff: { initial: 400, max: 800 },
        ...options.line,
      },
    ],
    profiles: [options.profile ?? meterProfile()],
    devices: Object.keys(units).map((unit) => ({
      id: `m${unit}`,
      name: `Meter ${unit}`,
      profile: 'meter',
      modbus: { line: 'gw', unitId: Number(unit) },
    })),
  });
  const { bus, latest, history } = recordingBus();
  const modbus = startModbus({ config, bus, log: silentLogger() });
  running.push(modbus);
  return { device, modbus, latest, history };
}

const reading = { voltage: 231.4, current: 12.34, power: 45.5, energy: 3_000_000_123 };

describe('Modbus polling over TCP', () => {
  it('decodes every point of a device and reads them in one request per poll', async () => {
    // This meter maps the unused registers 4..9 (reads as 0), so the hole is read through.
    const holding = { ...meterRegisters(reading), 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0 };
    const { device, latest } = await rig({ 1: { holding } });
    await until('a first poll', () => latest.get('m1.energy'));
    expect(latest.get('m1.voltage')).toMatchObject({ value: 231.4, quality: 'good' });
    expect(latest.get('m1.current')?.value).toBeCloseTo(12.34, 6);
    expect(latest.get('m1.power')?.value).toBeCloseTo(45.5, 4);
    expect(latest.get('m1.energy')?.value).toBe(3_000_000_123);
    const before = device.frames();
    await sleep(1000);
    const polls = device.frames() - before;
    // 200 ms period: about 5 polls, one request each.
    expect(polls).toBeGreaterThanOrEqual(4);
    expect(polls).toBeLessThanOrEqual(6);
    expect(device.log.every(([, fc, start, count]) => fc === 3 && start === 0 && count === 12)).toBe(true);
  });

  it('reads the decimals the meter holds: no float32 or scaling noise', async () => {
    const { latest } = await rig({
      1: { holding: meterRegisters({ ...reading, current: 49.98, power: 229.8 }) },
    });
    await until('a first poll', () => latest.get('m1.energy'));
    // Plain arithmetic gives 49.980000000000004 (4998 × 0.01) and 229.8000030517578 (the float32).
    expect(latest.get('m1.current')?.value).toBe(49.98);
    expect(latest.get('m1.power')?.value).toBe(229.8);
    expect(latest.get('m1.voltage')?.value).toBe(231.4);
  });

  it('splits a block the device refuses for an address hole, and remembers the split', async () => {
    // Registers 4..9 are not mapped: a read through the hole gets exception 2.
    const { device, latest, modbus } = await rig({ 1: { holding: meterRegisters(reading) } });
    await until('values', () => latest.get('m1.energy')?.quality === 'good');
    const exceptionsAfterSplit = modbus.lines()[0]?.exceptions['2'];
    expect(exceptionsAfterSplit).toBe(1);
    const before = device.log.length;
    await sleep(600);
    const later = device.log.slice(before);
    expect(later.length).toBeGreaterThan(0);
    // After the one refusal every poll is two requests, never again the refused one.
    expect(new Set(later.map(([, , start, count]) => `${start}+${count}`))).toEqual(new Set(['0+4', '10+2']));
    expect(modbus.lines()[0]?.exceptions['2']).toBe(1);
    expect(modbus.devices()[0]?.blocks.fast).toEqual([
      { table: 'holding', start: 0, count: 4 },
      { table: 'holding', start: 10, count: 2 },
    ]);
  });

  it('marks values outside the valid range out-of-range, not good', async () => {
    const { latest } = await rig({ 1: { holding: meterRegisters({ ...reading, voltage: 6000 }) } });
    const v = await until('a reading', () => latest.get('m1.voltage'));
    expect(v).toMatchObject({ value: 6000, quality: 'out-of-range' });
    expect(latest.get('m1.current')?.quality).toBe('good');
  });

  it('turns good values stale with their last reading when slow answers let polls lapse', async () => {
    // Answers take 1 s against a 200 ms period: at the default 3 periods a value is stale.
    const holding = meterRegisters({ ...reading, voltage: 600 }); // 600 V: out of range
    const { history } = await rig({ 1: { holding, delayMs: 1000 } }, { line: { timeout: 3000 } });
    await until('a stale report', () => history.find((v) => v.quality === 'stale'), 5000);
    const stale = history.filter((v) => v.quality === 'stale');
    const staleAt = history.findIndex((v) => v.quality === 'stale');
    const lastGood = (id: string) =>
      history
        .slice(0, staleAt)
        .filter((v) => v.id === id && v.quality === 'good')
        .at(-1);
    for (const id of ['m1.current', 'm1.power', 'm1.energy']) {
      const reported = stale.find((v) => v.id === id);
      expect(reported, id).toBeDefined();
      expect(reported).toMatchObject({ value: lastGood(id)?.value, ts: lastGood(id)?.ts });
    }
    // Not good to begin with: an out-of-range value is not made "stale" (it keeps its flag).
    expect(stale.some((v) => v.id === 'm1.voltage')).toBe(false);
    await until('good again after the next answer', () =>
      history.slice(staleAt).find((v) => v.id === 'm1.energy' && v.quality === 'good'),
    );
  });

  it('reports points answered with another exception as comm-error, without a substitute value', async () => {
    const holding = meterRegisters(reading);
    const profile = meterProfile({ maxGap: 0 });
    const { latest, modbus } = await rig(
      { 1: { holding, exception: { code: 4, from: 10, to: 11 } } },
      { profile },
    );
    await until('values', () => latest.get('m1.energy') && latest.get('m1.voltage'));
    expect(latest.get('m1.energy')).toMatchObject({ value: null, quality: 'comm-error' });
    expect(latest.get('m1.voltage')?.quality).toBe('good');
    expect(modbus.devices()[0]?.state).toBe('ok');
    expect(modbus.lines()[0]?.exceptions['4']).toBeGreaterThan(0);
  });
});

describe('a dead unit on a shared gateway', () => {
  it('keeps the live units at their poll rate and probes the dead one on its own backoff', async () => {
    const units: Record<number, UnitMap> = {
      1: { holding: meterRegisters(reading) },
      2: { holding: meterRegisters(reading), silent: true },
      3: { holding: meterRegisters(reading) },
    };
    const { device, latest, modbus } = await rig(units, { profile: meterProfile({ maxGap: 10 }) });
    await until('unit 2 comm-error', () => latest.get('m2.voltage')?.quality === 'comm-error', 3000);
    expect(latest.get('m2.voltage')?.value).toBeNull();

    const before = { 1: device.frames(1), 2: device.frames(2), 3: device.frames(3) };
    await sleep(2000);
    const live1 = device.frames(1) - before[1];
    const live3 = device.frames(3) - before[3];
    const probes = device.frames(2) - before[2];
    // 200 ms period over 2 s: ~10 polls each. A 150 ms timeout every poll would halve that.
    expect(live1).toBeGreaterThanOrEqual(7);
    expect(live3).toBeGreaterThanOrEqual(7);
    // Backoff 400 ms doubling to 800 ms: a handful of probes, not one per poll.
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(5);
    expect(modbus.devices().find((d) => d.id === 'm2')?.state).toBe('unreachable');

    // The unit comes back: it recovers by itself, no restart.
    (units[2] as UnitMap).silent = false;
    await until('unit 2 recovered', () => latest.get('m2.voltage')?.quality === 'good', 3000);
    expect(latest.get('m2.voltage')?.value).toBe(231.4);
    expect(modbus.devices().find((d) => d.id === 'm2')?.state).toBe('ok');
  });
});

describe('a TCP device that stops answering but keeps its socket open', () => {
  it('is probed on its backoff, even though the half-dead session is reopened', async () => {
    const units: Record<number, UnitMap> = { 1: { holding: meterRegisters(reading) } };
    const { device, latest, modbus } = await rig(units, {
      line: { retries: 1, backoff: { initial: 500, max: 1000 } },
    });
    await until('values', () => latest.get('m1.voltage')?.quality === 'good');
    (units[1] as UnitMap).silent = true;
    await until('comm-error', () => latest.get('m1.voltage')?.quality === 'comm-error', 3000);
    const before = device.frames();
    await sleep(2500);
    // At most one probe (two attempts) per backoff period of 0.5–1 s, never one per 200 ms poll.
    expect(device.frames() - before).toBeLessThanOrEqual(8);
    (units[1] as UnitMap).silent = false;
    await until('recovered', () => latest.get('m1.voltage')?.quality === 'good', 4000);
    expect(modbus.devices()[0]?.state).toBe('ok');
  });
});

describe('retries', () => {
  it('asks a unit that timed out again as often as configured, then calls it comm-error', async () => {
    const units: Record<number, UnitMap> = { 1: { holding: meterRegisters(reading) } };
    const { device, latest, modbus } = await rig(units, { line: { retries: 1, timeout: 100 } });
    await until('values', () => latest.get('m1.voltage')?.quality === 'good');
    (units[1] as UnitMap).silent = true;
    const before = device.frames(1);
    const timeoutsBefore = modbus.lines()[0]?.timeouts ?? 0;
    await until('comm-error', () => latest.get('m1.voltage')?.quality === 'comm-error', 3000);
    // The poll's request and its one retry, each timed out, and nothing else in between.
    expect(device.frames(1) - before).toBe(2);
    expect((modbus.lines()[0]?.timeouts ?? 0) - timeoutsBefore).toBe(2);
    (units[1] as UnitMap).silent = false;
    await until('recovered', () => latest.get('m1.voltage')?.quality === 'good', 4000);
  });
});

describe('a device that goes away', () => {
  it('turns comm-error when the server disappears and recovers when it returns', async () => {
    const { device, latest, modbus, history } = await rig({ 1: { holding: meterRegisters(reading) } });
    await until('values', () => latest.get('m1.voltage')?.quality === 'good');
    await device.stop();
    await until('comm-error', () => latest.get('m1.voltage')?.quality === 'comm-error', 3000);
    expect(modbus.lines()[0]?.state).not.toBe('connected');
    // No read while it was away produced a number.
    const during = history.filter((v) => v.quality === 'comm-error');
    expect(during.every((v) => v.value === null)).toBe(true);

    await device.start();
    await until('recovered', () => latest.get('m1.voltage')?.quality === 'good', 5000);
    expect(modbus.lines()[0]?.state).toBe('connected');
    expect(modbus.lines()[0]?.reconnects).toBeGreaterThan(0);
  });
});

describe('a pipelining TCP gateway (maxInFlight)', () => {
  const readings = [1, 2, 3, 4].map((unit) => ({
    voltage: 230 + unit,
    current: unit,
    power: 10 * unit,
    energy: 1000 * unit,
  }));
  // Registers 4..9 mapped (as 0), so that each poll is one request.
  const fourUnits = (): Record<number, UnitMap> =>
    Object.fromEntries(
      readings.map((r, i) => [
        i + 1,
        { holding: { ...meterRegisters(r), 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0 } },
      ]),
    );

  it('asks its units together, in one write, and gives each unit its own answer', async () => {
    const { device, latest } = await rig(fourUnits(), { line: { maxInFlight: 4 } });
    await until('all units', () => [1, 2, 3, 4].every((u) => latest.get(`m${u}.energy`)?.quality === 'good'));
    await sleep(1000);
    readings.forEach((r, i) => {
      expect(latest.get(`m${i + 1}.voltage`)?.value).toBeCloseTo(r.voltage, 6);
      expect(latest.get(`m${i + 1}.power`)?.value).toBe(r.power);
      expect(latest.get(`m${i + 1}.energy`)?.value).toBe(r.energy);
    });
    // The four polls of each period arrive as one chunk of four frames (the first polls, at
    // connection, may come apart).
    const together = device.framesPerChunk.filter((n) => n === 4).length;
    expect(together).toBeGreaterThanOrEqual(device.framesPerChunk.length - 2);

    // One at a time (the default), every request is its own write.
    const sequential = await rig(fourUnits());
    await until('all units, one at a time', () =>
      [1, 2, 3, 4].every((u) => sequential.latest.get(`m${u}.energy`)?.quality === 'good'),
    );
    await sleep(500);
    expect(Math.max(...sequential.device.framesPerChunk)).toBe(1);
  });

  it('counts the line busy for the time it is held, not once per request in flight', async () => {
    const units = fourUnits();
    for (const unit of Object.values(units)) unit.delayMs = 60;
    const { latest, modbus } = await rig(units, { line: { maxInFlight: 4, timeout: 400 } });
    await until('all units', () => [1, 2, 3, 4].every((u) => latest.get(`m${u}.energy`)?.quality === 'good'));
    await sleep(3000);
    // Four answers 60 ms late every 200 ms: the line is held about a third of the time (the
    // figure counts whole seconds, so a little less this early). Summing the overlapping
    // requests would say 1.2 and log the line overloaded.
    const busy = modbus.lines()[0]?.busy ?? 0;
    expect(busy).toBeGreaterThan(0.1);
    expect(busy).toBeLessThan(0.7);
  });

  it('keeps the live units on time while a dead unit waits out its timeout beside them', async () => {
    const units = fourUnits();
    (units[2] as UnitMap).silent = true;
    const { device, latest } = await rig(units, { line: { maxInFlight: 4, timeout: 400 } });
    await until('unit 2 comm-error', () => latest.get('m2.voltage')?.quality === 'comm-error', 3000);
    const before = device.frames(1);
    await sleep(2000);
    // 200 ms period over 2 s: ~10 polls. One at a time, each dead-unit probe would hold the
    // line for its 400 ms timeout.
    expect(device.frames(1) - before).toBeGreaterThanOrEqual(8);
    expect(latest.get('m1.voltage')?.quality).toBe('good');
    expect(latest.get('m3.voltage')?.quality).toBe('good');
  });
});
