/**
 * The boiler house's gas meter: it measures what the burners in its room burn, so its flow is
 * the sum of their gas flows and its volume grows with it (stepped after the boilers). Its points
 * are named gas_…: the energy figures find water meters by `volume_m3`.
 */
import { BoilerModel } from './boiler.js';
import type { Environment } from './environment.js';
import type { Counter, EquipmentModel, ModelContext, PlantView, Values } from './types.js';

export class GasMeterModel implements EquipmentModel {
  readonly id: string;
  private readonly noise: ModelContext['noise'];
  private flow = 0;
  private volume: number;

  constructor(ctx: ModelContext) {
    this.id = ctx.id;
    this.noise = ctx.noise;
    this.volume = 1_000_000 + Math.abs(ctx.noise(2_000_000));
  }

  step(_env: Environment, dtHours: number, plant: PlantView): void {
    const room = plant.roomOf(this.id);
    const burners = plant
      .all()
      .filter((m): m is BoilerModel => m instanceof BoilerModel && plant.roomOf(m.id) === room);
    // What the boilers burnt over the step (their counters' rate), so the volumes agree.
    this.flow = burners.reduce((s, b) => s + (b.counter('gas_volume_m3')?.perHour ?? 0), 0);
    this.volume += this.flow * dtHours;
  }

  counter(point: string): Counter | undefined {
    if (point !== 'gas_volume_m3') return undefined;
    return { perHour: this.flow, set: (m3) => (this.volume = m3) };
  }

  values(): Values {
    return {
      gas_flow_m3h: this.flow,
      gas_volume_m3: this.volume,
      // A medium-pressure supply regulated down to about 10 kPa for the burners.
      pressure_kpa: 10 + this.noise(0.1),
    };
  }
}
