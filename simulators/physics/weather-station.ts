/**
 * Outdoor weather station on the energy centre's roof: the environment's outdoor
 * temperature (what drives the cooling load), for degree-day normalisation of energy use,
 * and the relative humidity that air at that temperature holds over a slowly moving dew point.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { EquipmentModel, ModelContext, Values } from './types.js';

const Params = z.strictObject({
  /** Dew point of the season's air mass (a humid subtropical summer: 19 °C and more). */
  dewPointC: z.number().min(-40).max(35).default(19),
});

/** Magnus formula: saturation vapour pressure (hPa) over water at `celsius`. */
const saturationHpa = (celsius: number) => 6.112 * Math.exp((17.62 * celsius) / (243.12 + celsius));

export class WeatherStationModel implements EquipmentModel {
  readonly id: string;
  private readonly dewPointC: number;
  private readonly noise: ModelContext['noise'];
  private temperatureC = 20;
  private humidityPct = 60;

  constructor(ctx: ModelContext) {
    this.id = ctx.id;
    this.dewPointC = parseParams(ctx.id, Params, ctx.params).dewPointC;
    this.noise = ctx.noise;
  }

  step(env: Environment): void {
    this.temperatureC = env.outdoorC + this.noise(0.1);
    // The air mass changes over days; within a day the dew point barely moves, so RH is
    // highest at dawn and lowest in the afternoon. Never above the air temperature (fog: 100 %).
    const dewPoint = Math.min(this.dewPointC + this.noise(0.3), this.temperatureC);
    const rh = (100 * saturationHpa(dewPoint)) / saturationHpa(this.temperatureC);
    this.humidityPct = Math.min(100, Math.max(0, rh));
  }

  values(): Values {
    return { outdoor_temp_c: this.temperatureC, outdoor_rh_pct: this.humidityPct };
  }
}
