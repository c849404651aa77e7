/**
 * Pump on a variable-speed drive, by the affinity laws: flow ∝ speed, head ∝ speed²,
 * power ∝ speed³. Chilled- and condenser-water pumps follow the cooling load; booster
 * pumps follow the hospital's water demand; the heat station's circulation pumps follow their
 * circuit's heat demand (space heating, domestic hot water).
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { heatLoads } from './heat-station.js';
import { parseParams } from './params.js';
import type { Counter, EquipmentModel, ModelContext, Values } from './types.js';

const ROLE_DEFAULTS = {
  chw: { ratedFlowM3h: 400, ratedHeadBar: 3.2 },
  cw: { ratedFlowM3h: 480, ratedHeadBar: 2.6 },
  booster: { ratedFlowM3h: 60, ratedHeadBar: 6.5 },
  heating: { ratedFlowM3h: 170, ratedHeadBar: 3 },
  dhw: { ratedFlowM3h: 30, ratedHeadBar: 2.5 },
} as const;

type Role = keyof typeof ROLE_DEFAULTS;

const Params = z.strictObject({
  role: z.enum(['chw', 'cw', 'booster', 'heating', 'dhw']).default('chw'),
  ratedKw: z.number().positive().default(45),
  ratedFlowM3h: z.number().positive().optional(),
  ratedHeadBar: z.number().positive().optional(),
});

const RATED_HZ = 50;

export class PumpModel implements EquipmentModel {
  readonly id: string;
  readonly role: Role;
  private readonly ratedKw: number;
  private readonly ratedFlow: number;
  private readonly ratedHead: number;
  private readonly noise: ModelContext['noise'];
  faulted = false;
  speedHz = 0;
  powerKw = 0;
  private runHours: number;

  constructor(ctx: ModelContext) {
    const p = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.role = p.role;
    this.ratedKw = p.ratedKw;
    this.ratedFlow = p.ratedFlowM3h ?? ROLE_DEFAULTS[p.role].ratedFlowM3h;
    this.ratedHead = p.ratedHeadBar ?? ROLE_DEFAULTS[p.role].ratedHeadBar;
    this.noise = ctx.noise;
    this.runHours = 20_000 + Math.abs(ctx.noise(8000));
  }

  get running(): boolean {
    return !this.faulted;
  }

  step(env: Environment, dtHours: number): void {
    const demand = demandOf(this.role, env);
    this.speedHz = this.running ? Math.min(RATED_HZ, 30 + 20 * demand + this.noise(0.2)) : 0;
    const r = this.speedHz / RATED_HZ;
    this.powerKw = this.ratedKw * r ** 3;
    if (this.running) this.runHours += dtHours;
  }

  trip(on: boolean): void {
    this.faulted = on;
  }

  counter(point: string): Counter | undefined {
    if (point !== 'run_hours') return undefined;
    return { perHour: this.running ? 1 : 0, set: (hours) => (this.runHours = hours) };
  }

  values(): Values {
    const r = this.speedHz / RATED_HZ;
    return {
      running: this.running,
      fault: this.faulted,
      speed_hz: this.speedHz,
      current_a: (this.powerKw * 1000) / (Math.sqrt(3) * 400 * 0.85 * 0.9),
      power_kw: this.powerKw,
      flow_m3h: this.ratedFlow * r,
      outlet_pressure_bar: this.ratedHead * r ** 2,
      run_hours: this.runHours,
    };
  }
}

function demandOf(role: Role, env: Environment): number {
  if (role === 'booster') return env.waterDemand;
  if (role === 'heating') return heatLoads(env).space;
  if (role === 'dhw') return heatLoads(env).dhw;
  return env.coolingLoad;
}
