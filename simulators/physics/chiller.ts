/**
 * Water-cooled chiller: running chillers share the plant's cooling load; power follows
 * load through a COP that falls at part load; water temperatures follow load and weather.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { Counter, EquipmentModel, ModelContext, PlantView, Values } from './types.js';

const Params = z.strictObject({
  capacityKw: z.number().positive().default(1400),
  designCop: z.number().positive().default(5.5),
});

export const TRIP_FAULT_CODE = 207; // compressor high-pressure trip

export class ChillerModel implements EquipmentModel {
  readonly id: string;
  readonly capacityKw: number;
  private readonly designCop: number;
  private readonly ctx: ModelContext;
  tripped = false;
  loadFraction = 0;
  powerKw = 0;
  private runHours: number;
  private supplyC = 7;
  private returnC = 12;
  private cwInC = 30;
  private cwOutC = 35;

  constructor(ctx: ModelContext) {
    const p = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.ctx = ctx;
    this.capacityKw = p.capacityKw;
    this.designCop = p.designCop;
    this.runHours = 15_000 + Math.abs(ctx.noise(5000));
  }

  get running(): boolean {
    return !this.tripped;
  }

  step(env: Environment, dtHours: number, plant: PlantView): void {
    const chillers = plant.all().filter((m): m is ChillerModel => m instanceof ChillerModel);
    const design = chillers.reduce((s, c) => s + c.capacityKw, 0);
    const available = chillers.filter((c) => c.running).reduce((s, c) => s + c.capacityKw, 0);
    const required = env.coolingLoad * design;
    const noise = this.ctx.noise;
    this.loadFraction = this.running && available > 0 ? Math.min(1, required / available) : 0;
    const cop = this.designCop * (0.7 + 0.3 * this.loadFraction);
    this.powerKw = this.running ? (this.loadFraction * this.capacityKw) / cop + noise(2) : 0;
    // Cooling towers bring condenser water back at about 30–32 °C, a little warmer on hot afternoons.
    this.cwInC = 31 + 0.15 * (env.outdoorC - 27) + noise(0.1);
    if (this.running) {
      this.supplyC = 7 + noise(0.1);
      this.returnC = this.supplyC + 5 * this.loadFraction + noise(0.05);
      this.cwOutC = this.cwInC + 5 * this.loadFraction;
      this.runHours += dtHours;
    } else {
      // A tripped chiller's water drifts towards the building's return temperature.
      this.supplyC += (12.5 - this.supplyC) * Math.min(1, dtHours * 20);
      this.returnC = this.supplyC + 0.2;
      this.cwOutC = this.cwInC;
    }
  }

  trip(on: boolean): void {
    this.tripped = on;
  }

  counter(point: string): Counter | undefined {
    if (point !== 'run_hours') return undefined;
    return { perHour: this.running ? 1 : 0, set: (hours) => (this.runHours = hours) };
  }

  values(): Values {
    return {
      chw_supply_temp: this.supplyC,
      chw_return_temp: this.returnC,
      cw_inlet_temp: this.cwInC,
      cw_outlet_temp: this.cwOutC,
      load_pct: this.loadFraction * 100,
      power_kw: Math.max(0, this.powerKw),
      running: this.running,
      tripped: this.tripped,
      fault_code: this.tripped ? TRIP_FAULT_CODE : 0,
      run_hours: this.runHours,
    };
  }
}
