/**
 * Three-phase meters of a distribution room. A feeder draws its load type's daily profile
 * (or the chiller plant's / pumps' actual power); the incomer measures the sum of the
 * feeders in its room plus transformer and cable losses. kWh integrates power.
 */
import { z } from 'zod';
import { ChillerModel } from './chiller.js';
import { dayShape, type Environment } from './environment.js';
import { parseParams } from './params.js';
import { PumpModel } from './pump.js';
import type { Counter, EquipmentModel, ModelContext, PlantView, Values } from './types.js';

const LOADS = {
  lighting: { night: 0.35, pf: 0.95 },
  sockets: { night: 0.55, pf: 0.92 },
  hvac: { night: 0.4, pf: 0.88 },
  lifts: { night: 0.25, pf: 0.85 },
  imaging: { night: 0.3, pf: 0.9 },
  'chiller-plant': { night: 1, pf: 0.9 },
  pumps: { night: 1, pf: 0.86 },
} as const;

const RELATIVE_DAYS = /^-(\d+(?:\.\d+)?)d$/;

/**
 * When a retrofit took effect: "-30d" is that many days before `start` (the simulator's
 * start); anything else must be an ISO date. Undefined when it is neither.
 */
export function retrofitTime(at: string, start: number): number | undefined {
  const days = RELATIVE_DAYS.exec(at.trim());
  if (days) return start - Number(days[1]) * 86_400_000;
  // Date.parse reads many loose forms; an ISO date starts with its year.
  if (!/^\d{4}-\d{2}-\d{2}/.test(at)) return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

// Flat keys: simulation.yaml's device params are scalars (the config schema has no nested objects).
const Params = z
  .strictObject({
    role: z.enum(['feeder', 'incomer']).default('feeder'),
    load: z.enum(Object.keys(LOADS) as [keyof typeof LOADS, ...(keyof typeof LOADS)[]]).default('sockets'),
    peakKw: z.number().positive().default(200),
    lossesPct: z.number().min(0).max(10).default(1.5),
    /** A retrofit (LED lamps, a new drive) from this date: an ISO date or "-Nd" before the simulator's start. */
    retrofitAt: z
      .string()
      .refine((at) => retrofitTime(at, 0) !== undefined, 'expected an ISO date or "-<days>d", e.g. -30d')
      .optional(),
    /** The feeder's load after the retrofit, as a share of what it drew before. */
    retrofitFactor: z.number().positive().max(1).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.retrofitAt === undefined) !== (p.retrofitFactor === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [p.retrofitAt === undefined ? 'retrofitAt' : 'retrofitFactor'],
        message: 'a retrofit needs both retrofitAt and retrofitFactor',
      });
    if (p.retrofitAt !== undefined && p.role === 'incomer')
      ctx.addIssue({
        code: 'custom',
        path: ['retrofitAt'],
        message: 'a retrofit applies to a feeder (an incomer measures its feeders)',
      });
  });

const DEMAND_WINDOW_MS = 15 * 60_000;
const PUMP_ROOM_AUXILIARY_KW = 10;

/**
 * Phase voltages of a room's busbar: 230 V drifting ±2 V over ten minutes, each room and
 * phase on its own phase of the swing (a hash of the room), deterministic in time.
 */
export function roomBusbarVolts(room: string, time: number): number[] {
  let hash = 0;
  for (const ch of room) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
  const roomPhase = ((hash >>> 0) % 1000) / 1000;
  const swing = (2 * Math.PI * time) / 600_000;
  return [0, 1, 2].map((phase) => 230 + 2 * Math.sin(swing + 2 * Math.PI * roomPhase + phase * 2.1));
}

export class PowerMeterModel implements EquipmentModel {
  readonly id: string;
  readonly role: 'feeder' | 'incomer';
  private readonly params: z.infer<typeof Params>;
  private readonly noise: ModelContext['noise'];
  kw = 0;
  kvar = 0;
  /** Breaker tripped (trip fault): the feeder, or for an incomer the whole room, is dead. */
  breakerOpen = false;
  private energyKwh: number;
  private maxDemandKw = 0;
  private readonly demandSamples: { t: number; kw: number }[] = [];
  /** Epoch ms the retrofit takes effect, resolved at the first step (the simulator's start). */
  private retrofitFrom: number | undefined;
  private volts = [230, 230, 230];
  private frequency = 50;

  constructor(ctx: ModelContext) {
    this.params = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.role = this.params.role;
    this.noise = ctx.noise;
    this.energyKwh = 1_000_000 + Math.abs(ctx.noise(3_000_000));
  }

  /** Feeders first, then incomers: the plant steps incomers after everything else. */
  step(env: Environment, dtHours: number, plant: PlantView): void {
    if (this.role === 'incomer') this.sumFeeders(plant);
    else {
      this.drawLoad(env, plant);
      this.applyRetrofit(env.time);
    }
    const dead = this.roomIncomerOpen(plant);
    if (this.breakerOpen || dead) {
      this.kw = 0;
      this.kvar = 0;
    }
    // A meter sits upstream of its own breaker: it still sees voltage unless the room is dead.
    // The room's busbar sets the voltage (every meter of a room agrees within a few tenths
    // of a volt); the grid sets the frequency for the whole site.
    const busbar = roomBusbarVolts(plant.roomOf(this.id), env.time);
    this.volts = busbar.map((v) => (dead ? 0 : v + this.noise(0.3)));
    this.frequency = dead ? 0 : env.gridHz + this.noise(0.002);
    this.energyKwh += Math.max(0, this.kw) * dtHours;
    this.trackDemand(env.time);
  }

  private drawLoad(env: Environment, plant: PlantView): void {
    const load = LOADS[this.params.load];
    let kw: number;
    if (this.params.load === 'chiller-plant') {
      // Chillers and their pumps, plus ~3 % of the chillers' draw for what the plant room
      // has that is not metered on its own (cooling-tower fans, controls, oil heaters).
      kw = 1.03 * plant.all().reduce((s, m) => s + (m instanceof ChillerModel ? m.powerKw : 0), 0);
      kw += plant
        .all()
        .reduce((s, m) => s + (m instanceof PumpModel && m.role !== 'booster' ? m.powerKw : 0), 0);
    } else if (this.params.load === 'pumps') {
      // Booster pumps plus a constant 10 kW of the pump room's own (drive cooling, lights, sump pumps).
      kw =
        PUMP_ROOM_AUXILIARY_KW +
        plant.all().reduce((s, m) => s + (m instanceof PumpModel && m.role === 'booster' ? m.powerKw : 0), 0);
    } else {
      const shape = load.night + (1 - load.night) * dayShape(env.hour);
      kw = this.params.peakKw * shape * (1 + this.noise(0.02));
    }
    this.kw = Math.max(0, kw);
    this.kvar = this.kw * Math.tan(Math.acos(load.pf + this.noise(0.005)));
  }

  private applyRetrofit(time: number): void {
    const { retrofitAt, retrofitFactor } = this.params;
    if (retrofitAt === undefined || retrofitFactor === undefined) return;
    // The model is first stepped when the simulator starts: relative dates count back from there.
    this.retrofitFrom ??= retrofitTime(retrofitAt, time);
    if (this.retrofitFrom === undefined || time < this.retrofitFrom) return;
    this.kw *= retrofitFactor;
    this.kvar *= retrofitFactor;
  }

  /** Is the incomer of this meter's room (this meter itself, if it is the incomer) open? */
  private roomIncomerOpen(plant: PlantView): boolean {
    const room = plant.roomOf(this.id);
    return plant
      .all()
      .some(
        (m) =>
          m instanceof PowerMeterModel &&
          m.role === 'incomer' &&
          m.breakerOpen &&
          plant.roomOf(m.id) === room,
      );
  }

  trip(on: boolean): void {
    this.breakerOpen = on;
  }

  private sumFeeders(plant: PlantView): void {
    const room = plant.roomOf(this.id);
    const feeders = plant
      .all()
      .filter(
        (m): m is PowerMeterModel =>
          m instanceof PowerMeterModel && m.role === 'feeder' && plant.roomOf(m.id) === room,
      );
    const losses = 1 + this.params.lossesPct / 100;
    this.kw = feeders.reduce((s, f) => s + f.kw, 0) * losses;
    this.kvar = feeders.reduce((s, f) => s + f.kvar, 0) * losses;
  }

  private trackDemand(now: number): void {
    this.demandSamples.push({ t: now, kw: this.kw });
    while ((this.demandSamples[0]?.t ?? now) < now - DEMAND_WINDOW_MS) this.demandSamples.shift();
    const mean = this.demandSamples.reduce((s, x) => s + x.kw, 0) / this.demandSamples.length;
    this.maxDemandKw = Math.max(this.maxDemandKw, mean);
  }

  values(): Values {
    const pf = this.kw > 0 ? this.kw / Math.hypot(this.kw, this.kvar) : 1;
    const phaseKw = this.kw / 3;
    const currents = this.volts.map((v, i) =>
      v > 0 ? ((phaseKw * 1000) / (v * pf)) * (1 + [0.02, -0.01, -0.01][i]!) : 0,
    );
    return {
      voltage_l1: this.volts[0]!,
      voltage_l2: this.volts[1]!,
      voltage_l3: this.volts[2]!,
      current_l1: currents[0]!,
      current_l2: currents[1]!,
      current_l3: currents[2]!,
      power_kw: this.kw,
      reactive_kvar: this.kvar,
      power_factor: pf,
      frequency_hz: this.frequency,
      energy_kwh: this.energyKwh,
      max_demand_kw: this.maxDemandKw,
      breaker_closed: !this.breakerOpen,
    };
  }

  counter(point: string): Counter | undefined {
    if (point !== 'energy_kwh') return undefined;
    return { perHour: Math.max(0, this.kw), set: (kwh) => (this.energyKwh = kwh) };
  }
}
