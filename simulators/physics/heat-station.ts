/**
 * The heat station: plate heat exchangers between the boilers' primary loop (about 80/60 °C)
 * and the hospital's secondary circuits. Two duties:
 * - space heating: radiators and air-handling coils, with the supply temperature reset from the
 *   outdoor temperature; outside the heating season the air-handling units' reheat coils
 *   (theatres and ICU are cooled to dry the air, then reheated) still need heat all year;
 * - domestic hot water: showers, wards, kitchens at 60 °C (legionella), all year, with a
 *   morning and an evening peak.
 * What an exchanger delivers depends on the primary supply it gets and on its secondary
 * circulation pumps: with every one stopped, no heat crosses the plates.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { EquipmentModel, ModelContext, PlantView, Values } from './types.js';

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Space heating starts below this outdoor temperature (the building's balance point). */
export const HEATING_BALANCE_C = 15;
/** The outdoor temperature the space heating is designed for (full load). */
export const HEATING_DESIGN_C = -5;
/** The air-handling units' reheat: a share of the space-heating design load all year. */
export const REHEAT_FLOOR = 0.12;

/**
 * The hospital's heat demand now, as fractions (0..1) of each duty's design load: space heating
 * from the degrees below the balance point (never below the reheat floor), domestic hot water
 * from the hour of the day.
 */
export function heatLoads(env: Environment): { space: number; dhw: number } {
  const belowBalance = (HEATING_BALANCE_C - env.outdoorC) / (HEATING_BALANCE_C - HEATING_DESIGN_C);
  const space = clamp(belowBalance, REHEAT_FLOOR, 1);
  const h = env.hour;
  const morning = Math.exp(-((h - 8) ** 2) / 2);
  const evening = Math.exp(-((h - 20) ** 2) / 3);
  const dhw = clamp(0.15 + 0.45 * morning + 0.4 * evening + 0.2 * env.occupancy, 0, 1);
  return { space, dhw };
}

/** Water carries 1.163 kWh per m³ and kelvin. */
export const WATER_KWH_PER_M3K = 1.163;

const Params = z.strictObject({
  role: z.enum(['space-heating', 'dhw']).default('space-heating'),
  designKw: z.number().positive().default(3000),
  /** The secondary circulation pumps (device ids, comma-separated): no flow when all are stopped. */
  pumps: z.string().default(''),
  /** Differential pressures at design flow, kPa. */
  primaryDpKpa: z.number().positive().default(40),
  secondaryDpKpa: z.number().positive().default(50),
});

/** Something that says what the boilers send and whether a pump runs (boiler.ts, pump.ts). */
interface Primary {
  supply_temp?: number | boolean;
  running?: number | boolean;
  flow_m3h?: number | boolean;
}

/** Primary ΔT at design: 80 °C in, 60 °C back. */
const PRIMARY_DESIGN_DT = 20;

export class HeatExchangerModel implements EquipmentModel {
  readonly id: string;
  readonly role: 'space-heating' | 'dhw';
  private readonly params: z.infer<typeof Params>;
  private readonly pumpIds: string[];
  private readonly noise: ModelContext['noise'];
  heatKw = 0;
  private primarySupplyC = 80;
  private primaryReturnC = 60;
  private secondarySupplyC = 55;
  private secondaryReturnC = 45;
  private primaryFlow = 0;
  private secondaryFlowShare = 1;
  private valvePct = 0;

  constructor(ctx: ModelContext) {
    this.params = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.role = this.params.role;
    this.noise = ctx.noise;
    this.pumpIds = this.params.pumps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** The secondary supply temperature the controller holds. */
  setpointC(env: Environment): number {
    if (this.role === 'dhw') return 60;
    // Outdoor reset: 45 °C at the balance point up to 65 °C at the design outdoor temperature.
    const cold = clamp((HEATING_BALANCE_C - env.outdoorC) / (HEATING_BALANCE_C - HEATING_DESIGN_C), 0, 1);
    return 45 + 20 * cold;
  }

  step(env: Environment, _dtHours: number, plant: PlantView): void {
    const noise = this.noise;
    const loads = heatLoads(env);
    const demandKw = (this.role === 'dhw' ? loads.dhw : loads.space) * this.params.designKw;
    // The secondary flow: the share of the circulation pumps' rated flow that runs now.
    const pumps = this.pumpIds.map((id) => plant.byId(id)?.values() as Primary | undefined);
    const running = pumps.filter((v) => v?.running === true).length;
    this.secondaryFlowShare = this.pumpIds.length === 0 ? 1 : running / this.pumpIds.length;
    this.primarySupplyC = headerSupplyC(plant) + noise(0.1);
    const setpoint = this.setpointC(env);
    // The primary must be warmer than the secondary setpoint to drive heat across the plates.
    const driving = clamp((this.primarySupplyC - setpoint) / 10, 0, 1);
    this.heatKw = this.secondaryFlowShare > 0 ? demandKw * driving : 0;
    const fraction = this.heatKw / this.params.designKw;
    if (this.secondaryFlowShare > 0) {
      this.secondarySupplyC = Math.min(setpoint, this.primarySupplyC - 3) + noise(0.1);
      // Space heating comes back 15 K cooler at full load; hot water mixes cold mains (15 °C) in as it is drawn.
      const drop = this.role === 'dhw' ? 5 + 35 * fraction : 15 * fraction;
      this.secondaryReturnC = this.secondarySupplyC - drop + noise(0.05);
    } else {
      // No circulation: the secondary water in the plates cools towards the return side.
      this.secondarySupplyC = this.secondaryReturnC + 1;
    }
    // Counterflow: the primary leaves above the secondary return by an approach that shrinks
    // as the control valve throttles (10 K at design, 3 K at a trickle); its flow carries the heat.
    this.primaryReturnC =
      this.heatKw > 0
        ? Math.min(this.primarySupplyC - 0.5, this.secondaryReturnC + 3 + 7 * fraction)
        : this.primarySupplyC - 0.5;
    const designFlow = this.params.designKw / (WATER_KWH_PER_M3K * PRIMARY_DESIGN_DT);
    const dt = this.primarySupplyC - this.primaryReturnC;
    this.primaryFlow =
      this.heatKw > 0 && dt > 0.5 ? Math.min(designFlow, this.heatKw / (WATER_KWH_PER_M3K * dt)) : 0;
    this.valvePct = (100 * this.primaryFlow) / designFlow;
  }

  values(): Values {
    const designFlow = this.params.designKw / (WATER_KWH_PER_M3K * PRIMARY_DESIGN_DT);
    // ΔP ∝ flow²: the plates are a fixed resistance.
    const primaryShare = this.primaryFlow / designFlow;
    return {
      primary_supply_temp: this.primarySupplyC,
      primary_return_temp: this.primaryReturnC,
      secondary_supply_temp: this.secondarySupplyC,
      secondary_return_temp: this.secondaryReturnC,
      primary_dp_kpa: this.params.primaryDpKpa * primaryShare ** 2,
      secondary_dp_kpa: this.params.secondaryDpKpa * this.secondaryFlowShare ** 2,
      heat_kw: this.heatKw,
      valve_pct: this.valvePct,
    };
  }
}

/**
 * The primary supply the boilers send to the header: the mean of the boilers that carry load,
 * or, with none, what the header cools to. Read from each boiler's `supply_temp` and `enabled`
 * (in the sequence: its valve open to the header).
 */
export function headerSupplyC(plant: PlantView): number {
  const boilers = plant
    .all()
    .filter((m) => plant.kindOf(m.id) === 'boiler')
    .map((m) => m.values());
  const feeding = boilers.filter((v) => v.enabled === true);
  if (feeding.length === 0)
    return boilers.length > 0 ? Math.min(...boilers.map((v) => Number(v.supply_temp))) : 80;
  return feeding.reduce((s, v) => s + Number(v.supply_temp), 0) / feeding.length;
}
