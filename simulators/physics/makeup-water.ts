/**
 * Softened make-up water for the boilers' sealed loop. A sound loop loses a little water
 * (air vents, relief valves weeping, samples): the pressure falls slowly, and the make-up
 * valve opens for a few minutes every few hours to bring it back. Make-up flowing all the time
 * means the loop leaks somewhere. The softener holds the hardness near zero and regenerates
 * at night (02:00), its outlet hardness creeping up a little through the day before.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { Counter, EquipmentModel, ModelContext, Values } from './types.js';

const Params = z.strictObject({
  /** What a sound loop loses, m³/h. */
  lossM3h: z.number().nonnegative().default(0.02),
  /** The make-up valve's flow when open, m³/h. */
  fillM3h: z.number().positive().default(1.2),
  /** The deficit (m³) at which the pressure has fallen enough to open the valve. */
  deficitM3: z.number().positive().default(0.1),
});

const SUBSTEP_HOURS = 1 / 120;
const REGENERATION_HOUR = 2;

export class MakeupWaterModel implements EquipmentModel {
  readonly id: string;
  private readonly p: z.infer<typeof Params>;
  private readonly noise: ModelContext['noise'];
  private deficit: number;
  private valveOpen = false;
  private leakM3h = 0;
  private flow = 0;
  private volume: number;
  private hardness = 0.01;
  private exhausted = false;

  constructor(ctx: ModelContext) {
    this.p = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.noise = ctx.noise;
    this.deficit = Math.abs(ctx.noise(this.p.deficitM3));
    this.volume = 2000 + Math.abs(ctx.noise(3000));
  }

  step(env: Environment, dtHours: number): void {
    const substeps = Math.max(1, Math.ceil(dtHours / SUBSTEP_HOURS));
    const h = dtHours / substeps;
    let fed = 0;
    for (let i = 0; i < substeps; i++) {
      // A leak is fed as fast as it loses: the pressurisation unit never stops.
      this.deficit += this.p.lossM3h * h;
      if (this.deficit >= this.p.deficitM3) this.valveOpen = true;
      const cycle = this.valveOpen ? Math.min(this.p.fillM3h, this.deficit / h) : 0;
      this.deficit -= cycle * h;
      // The pressure is back: the valve closes.
      if (this.deficit <= 1e-9) this.valveOpen = false;
      fed += (cycle + this.leakM3h) * h;
    }
    this.flow = dtHours > 0 ? fed / dtHours : this.leakM3h + (this.valveOpen ? this.p.fillM3h : 0);
    this.volume += fed;
    const sinceRegeneration = (env.hour - REGENERATION_HOUR + 24) % 24;
    // An exhausted resin lets the raw water's hardness through (about 3 mmol/L for city water).
    this.hardness = this.exhausted
      ? 2.5 + this.noise(0.05)
      : Math.max(0, 0.005 + (0.015 * sinceRegeneration) / 24 + this.noise(0.001));
  }

  exhaust(on: boolean): void {
    this.exhausted = on;
  }

  leak(flowM3h: number): void {
    this.leakM3h = flowM3h;
  }

  counter(point: string): Counter | undefined {
    if (point !== 'makeup_volume_m3') return undefined;
    return { perHour: this.flow, set: (m3) => (this.volume = m3) };
  }

  values(): Values {
    return {
      makeup_flow_m3h: this.flow,
      makeup_volume_m3: this.volume,
      makeup_valve_open: this.valveOpen || this.leakM3h > 0,
      hardness_mmol_l: this.hardness,
    };
  }
}
