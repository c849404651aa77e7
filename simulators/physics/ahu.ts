/**
 * Air-handling unit of an operating theatre: while the theatre is in use (08:00–18:00 local)
 * it holds the room at its temperature and humidity setpoints and at a positive pressure to the
 * corridor (clean air flows out through the doors, never in); at night it sets back: fewer air
 * changes, a warmer room, the pressure lower but still positive. The supply air is cooler than
 * the room by what the room's heat gains need at the air it gets; the chilled-water valve opens
 * with the coil's load (outdoor air, weather); the filter loads slowly with the air through it
 * until it is changed. A tripped supply fan stops the air: the room's pressure falls to the
 * corridor's and below, and the room warms. Without a running chiller the coil has no chilled
 * water and the room warms too.
 */
import { z } from 'zod';
import { ChillerModel } from './chiller.js';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { EquipmentModel, ModelContext, PlantView, Values } from './types.js';

const Params = z
  .strictObject({
    /** Room temperature held while in use (theatres: 21–24 °C). */
    tempSetpointC: z.number().min(15).max(30).default(22),
    /** Room relative humidity held (theatres: 40–60 %). */
    rhSetpointPct: z.number().min(20).max(80).default(50),
    /** Room pressure to the corridor held while in use (at least 5 Pa; about +10 Pa is usual). */
    pressureSetpointPa: z.number().min(0).max(50).default(12),
    volumeM3: z.number().positive().default(150),
    /** Air changes per hour in use and at night, and at full fan speed. */
    inUseAch: z.number().positive().default(20),
    setbackAch: z.number().positive().default(10),
    maxAch: z.number().positive().default(25),
    /** Outdoor air's share of the supply, %. */
    freshAirPct: z.number().min(0).max(100).default(30),
    /** The cooling coil's capacity: the chilled-water valve's 100 %. */
    coilKw: z.number().positive().default(30),
    /** The filter's pressure drop at full flow: clean, when it is changed, and its rise per day of full flow. */
    filterCleanPa: z.number().positive().default(180),
    filterChangePa: z.number().positive().default(600),
    filterRisePaPerDay: z.number().nonnegative().default(3),
  })
  .superRefine((p, ctx) => {
    if (!(p.setbackAch <= p.inUseAch && p.inUseAch <= p.maxAch))
      ctx.addIssue({
        code: 'custom',
        path: ['inUseAch'],
        message: 'expected setbackAch ≤ inUseAch ≤ maxAch',
      });
    if (p.filterChangePa <= p.filterCleanPa)
      ctx.addIssue({ code: 'custom', path: ['filterChangePa'], message: 'expected above filterCleanPa' });
  });

/** The theatres' working day, local hours: in use from 08:00 to 18:00, set back outside it. */
export const THEATRE_HOURS = { from: 8, to: 18 } as const;

/** A door opened (staff, a patient wheeled in) every 12 minutes in use, for 40 s: the pressure dips. */
const DOOR_EVERY_S = 720;
const DOOR_OPEN_S = 40;
/** What an open door leaves of the room's pressure. */
const DOOR_PRESSURE_SHARE = 0.55;
/** With the supply fan stopped the extract still runs: corridor air comes in. */
const STOPPED_PRESSURE_PA = -1.5;
/** Setback: the room may float this much warmer, at this share of the in-use pressure. */
const SETBACK_WARMER_C = 1.5;
const SETBACK_PRESSURE_SHARE = 0.7;
/** Air: density × specific heat, kJ/(m³·K); latent load per K of outdoor air above 16 °C, kJ/m³. */
const AIR_KJ_PER_M3K = 1.2 * 1.006;
const LATENT_KJ_PER_M3K = 0.5 * 1.2;
const HOUR_MS = 3_600_000;

/** Share of the way to a target covered in dtHours by a first-order lag of time constant tauHours. */
const lag = (dtHours: number, tauHours: number) => 1 - Math.exp(-dtHours / tauHours);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export class AhuModel implements EquipmentModel {
  readonly id: string;
  private readonly params: z.infer<typeof Params>;
  private readonly noise: ModelContext['noise'];
  /** Phases of the door openings and of the slow wander of temperature and humidity. */
  private readonly doorPhaseS: number;
  private readonly wanderPhase: number;
  /** The supply fan's drive tripped (trip fault). */
  tripped = false;
  inUse = false;
  private started = false;
  private fanSpeedPct = 0;
  private roomC: number;
  private roomRh: number;
  /** The filter's pressure drop at full flow: what loading it has. */
  private filterPa: number;
  // What the sensors read, worked out at each step (values() is read many times per step).
  private measured: Values = {};

  constructor(ctx: ModelContext) {
    this.params = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.noise = ctx.noise;
    const { filterCleanPa, filterChangePa, tempSetpointC, rhSetpointPct } = this.params;
    this.doorPhaseS = Math.abs(ctx.noise(DOOR_EVERY_S));
    this.wanderPhase = Math.abs(ctx.noise(Math.PI));
    this.filterPa = filterCleanPa + Math.abs(ctx.noise(0.5 * (filterChangePa - filterCleanPa)));
    this.roomC = tempSetpointC;
    this.roomRh = rhSetpointPct;
  }

  get running(): boolean {
    return !this.tripped;
  }

  step(env: Environment, dtHours: number, plant: PlantView): void {
    const p = this.params;
    const noise = this.noise;
    this.inUse = env.hour >= THEATRE_HOURS.from && env.hour < THEATRE_HOURS.to;
    const modeSpeed = (100 * (this.inUse ? p.inUseAch : p.setbackAch)) / p.maxAch;
    const chillers = plant.all().filter((m): m is ChillerModel => m instanceof ChillerModel);
    const chilledWater = chillers.length === 0 || chillers.some((c) => c.running);

    // The fan ramps over a couple of minutes; a tripped one runs down within a minute. The first
    // step (the simulator's start) finds the unit as it has been running.
    const speedTarget = this.running ? modeSpeed : 0;
    const gainsKw = Math.max(0.5, 1.5 + (this.inUse ? 4.5 : 0) + 0.08 * (env.outdoorC - 22));
    const wander = Math.sin((2 * Math.PI * env.time) / (3 * HOUR_MS) + this.wanderPhase);
    const held = this.running && chilledWater;
    const roomTarget = held
      ? p.tempSetpointC + (this.inUse ? 0 : SETBACK_WARMER_C) + 0.1 * (gainsKw - 4) + 0.3 * wander
      : p.tempSetpointC + 4 + 0.3 * gainsKw;
    const rhTarget = held
      ? p.rhSetpointPct + (this.inUse ? 0 : 3) + 0.15 * (env.outdoorC - 27) + 2 * wander
      : 62;
    if (!this.started) {
      this.fanSpeedPct = speedTarget;
      this.roomC = roomTarget;
      this.roomRh = rhTarget;
      this.started = true;
    }
    this.fanSpeedPct += (speedTarget - this.fanSpeedPct) * lag(dtHours, this.running ? 2 / 60 : 0.5 / 60);
    this.roomC += (roomTarget - this.roomC) * lag(dtHours, held ? 10 / 60 : 1);
    this.roomRh += (rhTarget - this.roomRh) * lag(dtHours, held ? 20 / 60 : 1);

    const ach = (p.maxAch * this.fanSpeedPct) / 100;
    const airflowM3h = ach * p.volumeM3;
    // Supply air cooler than the room by what its gains need at this airflow (at most 12 K).
    const deltaT = airflowM3h > 1 ? Math.min(12, (gainsKw * 3600) / (AIR_KJ_PER_M3K * airflowM3h)) : 0;
    const supplyC = held ? this.roomC - deltaT : this.roomC + (this.running ? -0.5 : 1);
    const returnC = this.roomC + (this.running ? 0.4 : 0);
    // The coil cools the mix of outdoor and return air to the supply temperature, and dries the outdoor air.
    const fresh = p.freshAirPct / 100;
    const mixedC = fresh * env.outdoorC + (1 - fresh) * returnC;
    const coilKw =
      (airflowM3h / 3600) *
      (AIR_KJ_PER_M3K * Math.max(0, mixedC - supplyC) +
        fresh * LATENT_KJ_PER_M3K * Math.max(0, env.outdoorC - 16));
    const valvePct =
      this.running && chilledWater ? clamp((100 * coilKw) / p.coilKw, 0, 100) : this.running ? 100 : 0;

    // Pressure follows the fan; an open door lets it dip for a moment.
    const modePressure = p.pressureSetpointPa * (this.inUse ? 1 : SETBACK_PRESSURE_SHARE);
    const r = modeSpeed > 0 ? clamp(this.fanSpeedPct / modeSpeed, 0, 1.2) : 0;
    const doorOpen = this.inUse && (env.time / 1000 + this.doorPhaseS) % DOOR_EVERY_S < DOOR_OPEN_S;
    const pressure =
      (modePressure * r + STOPPED_PRESSURE_PA * (1 - Math.min(1, r))) * (doorOpen ? DOOR_PRESSURE_SHARE : 1);

    // The filter loads with the air through it, and is changed once it reaches its final drop.
    this.filterPa += (p.filterRisePaPerDay * (this.fanSpeedPct / 100) * dtHours) / 24;
    if (this.filterPa >= p.filterChangePa) this.filterPa = p.filterCleanPa;
    const filterDp = this.filterPa * (this.fanSpeedPct / 100) ** 2;

    this.measured = {
      room_pressure_pa: pressure + noise(0.6),
      room_temp: this.roomC + noise(0.05),
      room_rh: clamp(this.roomRh + noise(0.4), 0, 100),
      supply_air_temp: supplyC + noise(0.1),
      return_air_temp: returnC + noise(0.05),
      supply_fan_running: this.running,
      supply_fan_speed_pct: this.fanSpeedPct,
      chw_valve_pct: valvePct > 0 ? clamp(valvePct + noise(0.5), 0, 100) : 0,
      air_changes_per_hour: ach > 0.05 ? Math.max(0, ach + noise(0.2)) : 0,
      filter_dp_pa: Math.max(0, filterDp + noise(1.5)),
      theatre_in_use: this.inUse,
    };
  }

  /** The supply fan's drive trips (and is reset). */
  trip(on: boolean): void {
    this.tripped = on;
  }

  values(): Values {
    return this.measured;
  }
}
