/**
 * Medical oxygen station: a liquid-oxygen tank emptied by the wards and refilled by the
 * supplier's tanker; the pipeline pressure is regulated at about 4.2 bar.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { EquipmentModel, ModelContext, Values } from './types.js';

const Params = z.strictObject({
  supplyBar: z.number().positive().default(4.2),
  usePctPerHour: z.number().positive().default(0.4),
});

const LOW_PRESSURE_BAR = 3.8;

export class OxygenStationModel implements EquipmentModel {
  readonly id: string;
  private readonly params: z.infer<typeof Params>;
  private readonly noise: ModelContext['noise'];
  private level = 75;
  private pressure: number;
  private purity = 99.6;
  private supplyFailed = false;

  constructor(ctx: ModelContext) {
    this.params = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.noise = ctx.noise;
    this.pressure = this.params.supplyBar;
  }

  step(env: Environment, dtHours: number): void {
    this.level -= this.params.usePctPerHour * (0.6 + 0.4 * env.occupancy) * dtHours;
    if (this.level < 30) this.level = 95; // the tanker came
    this.pressure = (this.supplyFailed ? 3.2 : this.params.supplyBar) + this.noise(0.03);
    this.purity = 99.6 + this.noise(0.05);
  }

  trip(on: boolean): void {
    // A supply failure: the pipeline pressure falls below the alarm limit.
    this.supplyFailed = on;
  }

  values(): Values {
    return {
      supply_pressure_bar: this.pressure,
      tank_level_pct: this.level,
      purity_pct: this.purity,
      low_pressure_alarm: this.pressure < LOW_PRESSURE_BAR,
    };
  }
}
