/**
 * Building water meter: flow follows the day (morning wash peak, small night base); a
 * leak adds a constant flow day and night, which is what night-flow analysis looks for.
 */
import { z } from 'zod';
import { COOLING_LOAD_RANGE, type Environment, NIGHT_WATER_DEMAND } from './environment.js';
import { parseParams } from './params.js';
import type { Counter, EquipmentModel, ModelContext, Values } from './types.js';

const Params = z.strictObject({
  baseM3h: z.number().nonnegative().default(0.5),
  peakM3h: z.number().positive().default(8),
  /**
   * What drives the demand: the hospital's day (taps, showers, kitchens), or the cooling
   * plant (cooling-tower make-up water evaporates in proportion to the heat rejected).
   */
  follows: z.enum(['hospital', 'cooling']).default('hospital'),
});

export class WaterMeterModel implements EquipmentModel {
  readonly id: string;
  private readonly params: z.infer<typeof Params>;
  private readonly noise: ModelContext['noise'];
  private flow = 0;
  private volume: number;
  private leakM3h = 0;

  constructor(ctx: ModelContext) {
    this.params = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.noise = ctx.noise;
    this.volume = 10_000 + Math.abs(ctx.noise(80_000));
  }

  step(env: Environment, dtHours: number): void {
    const { baseM3h, peakM3h } = this.params;
    // The building's own night minimum is its base; the hospital's demand curve above its
    // night floor scales the rest up to the peak.
    const [lowLoad, highLoad] = COOLING_LOAD_RANGE;
    const aboveNight =
      this.params.follows === 'cooling'
        ? Math.max(0, (env.coolingLoad - lowLoad) / (highLoad - lowLoad))
        : Math.max(0, (env.waterDemand - NIGHT_WATER_DEMAND) / (1 - NIGHT_WATER_DEMAND));
    const demand = baseM3h + (peakM3h - baseM3h) * aboveNight;
    this.flow = Math.max(0, demand * (1 + this.noise(0.05))) + this.leakM3h;
    this.volume += this.flow * dtHours;
  }

  leak(flowM3h: number): void {
    this.leakM3h = flowM3h;
  }

  counter(point: string): Counter | undefined {
    if (point !== 'volume_m3') return undefined;
    return { perHour: this.flow, set: (m3) => (this.volume = m3) };
  }

  values(): Values {
    return { volume_m3: this.volume, flow_m3h: this.flow };
  }
}
