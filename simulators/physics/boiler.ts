/**
 * Gas-fired hot-water shell boiler. The heat station's exchangers draw heat from the primary
 * loop; the boilers in the sequence share it. Each boiler's shell is a mass of water that the
 * burner heats and the load cools:
 *
 *   thermal mass × dT/dt = burner heat − load share
 *
 * The burner modulates from its minimum fire (30 %) to full to hold the supply setpoint; below
 * its minimum fire it cycles: off at setpoint + 5 K, on again at setpoint − 5 K. Gas flow is the
 * burner's heat over its efficiency and the gas's lower heating value (35.9 MJ/m³ ≈ 9.97 kWh/m³).
 * The lag boiler joins when the load passes 85 % of the lead's capacity and leaves below 50 %.
 *
 * Faults: a flame failure locks the burner out; low water (the low-water cutoff) and over-pressure
 * (the high-limit switch) stop it; a fouled boiler (soot on the tubes) sends the flue hot.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { Counter, EquipmentModel, ModelContext, PlantView, Values } from './types.js';

/** Natural gas's lower heating value: 35.9 MJ/m³ over 3.6 MJ/kWh. */
export const GAS_KWH_PER_M3 = 35.9 / 3.6;

/** The fault codes the burner controller shows. */
export const BOILER_FAULT_CODES = {
  'burner-lockout': 12, // flame failure: locked out until reset
  'low-water': 21, // low-water cutoff
  'over-pressure': 31, // high-pressure limit
} as const;

export type BoilerFault = 'burner-lockout' | 'low-water' | 'over-pressure' | 'high-flue';

const Params = z.strictObject({
  capacityKw: z.number().positive().default(2800),
  /** Heat to water over gas burnt (lower heating value). */
  efficiency: z.number().positive().max(1.1).default(0.92),
  setpointC: z.number().positive().default(80),
  minFirePct: z.number().min(5).max(100).default(30),
  /** 1 leads; 2 joins when the lead cannot carry the load alone. */
  sequence: z.number().int().positive().default(1),
  /** The loop's static pressure at 70 °C (a tall hospital building), bar. */
  staticBar: z.number().positive().default(4),
  /** kWh per kelvin of the shell's water and steel. */
  thermalMassKwhPerK: z.number().positive().optional(),
  /** Heat lost between the boiler house and the heat station's plates, % of what they carry. */
  lossesPct: z.number().min(0).max(20).default(3),
});

const HYSTERESIS_K = 5;
/** Supply − return at full load with the boiler pump's constant flow. */
const DESIGN_DT = 20;
/** The integration step: the burner's control is good to about half a minute. */
const SUBSTEP_HOURS = 1 / 120;
const LEVEL_LOW_CUTOFF_PCT = 25;

export class BoilerModel implements EquipmentModel {
  readonly id: string;
  readonly capacityKw: number;
  readonly sequence: number;
  private readonly p: z.infer<typeof Params>;
  private readonly thermalMass: number;
  private readonly noise: ModelContext['noise'];
  private readonly faults = new Set<BoilerFault>();
  /** In the sequence: its valve open to the header, carrying a share of the load. */
  enabled: boolean;
  burnerOn = false;
  /** 0..1 of capacity. */
  firing = 0;
  shareKw = 0;
  waterC: number;
  private flueC = 60;
  private levelPct = 55;
  private filling = false;
  private gasM3: number;
  private runHours: number;
  private starts: number;
  /** Gas m³/h and heat kW averaged over the last step (what the counters integrated). */
  private gasFlow = 0;

  constructor(ctx: ModelContext) {
    this.p = parseParams(ctx.id, Params, ctx.params);
    this.id = ctx.id;
    this.capacityKw = this.p.capacityKw;
    this.sequence = this.p.sequence;
    this.thermalMass = this.p.thermalMassKwhPerK ?? this.capacityKw / 350;
    this.noise = ctx.noise;
    this.enabled = this.sequence === 1;
    this.waterC = this.enabled ? this.p.setpointC : 55;
    this.gasM3 = 200_000 + Math.abs(ctx.noise(500_000));
    this.runHours = 12_000 + Math.abs(ctx.noise(6000));
    this.starts = 30_000 + Math.round(Math.abs(ctx.noise(20_000)));
  }

  /** Stopped by a fault: out of the sequence until it clears. */
  get available(): boolean {
    return (
      !this.faults.has('burner-lockout') && !this.faults.has('low-water') && !this.faults.has('over-pressure')
    );
  }

  step(_env: Environment, dtHours: number, plant: PlantView): void {
    const boilers = plant.all().filter((m): m is BoilerModel => m instanceof BoilerModel);
    const loadKw =
      plant
        .all()
        .filter((m) => plant.kindOf(m.id) === 'heat-exchanger')
        .reduce((s, m) => s + Number(m.values().heat_kw ?? 0), 0) *
      (1 + this.p.lossesPct / 100);
    this.sequenceStep(boilers, loadKw);
    const carrying = boilers.filter((b) => b.enabled && b.available).length;
    this.shareKw = this.enabled && this.available && carrying > 0 ? loadKw / carrying : 0;

    const substeps = Math.max(1, Math.ceil(dtHours / SUBSTEP_HOURS));
    const h = dtHours / substeps;
    let gasM3 = 0;
    for (let i = 0; i < substeps; i++) gasM3 += this.substep(h);
    this.gasFlow = dtHours > 0 ? gasM3 / dtHours : this.instantGasFlow();
  }

  /** Whether this boiler is in the sequence: the lead always; the lag by the load, with hysteresis. */
  private sequenceStep(boilers: BoilerModel[], loadKw: number): void {
    if (!this.available) {
      this.enabled = false;
      return;
    }
    const ahead = boilers.filter((b) => b !== this && b.available && b.sequence < this.sequence);
    if (ahead.length === 0) {
      this.enabled = true;
      return;
    }
    const aheadKw = ahead.reduce((s, b) => s + b.capacityKw, 0);
    if (loadKw > 0.85 * aheadKw) this.enabled = true;
    else if (loadKw < 0.5 * aheadKw) this.enabled = false;
  }

  /** One short step of the burner's control and the shell's heat balance; returns the gas burnt, m³. */
  private substep(h: number): number {
    const { setpointC } = this.p;
    const minFire = this.p.minFirePct / 100;
    // The level: vents and sampling lose a little; the fill valve tops it up from 50 % to 60 %.
    if (this.faults.has('low-water'))
      this.levelPct = Math.max(15, this.levelPct - 600 * h); // the feed failed: minutes
    else {
      if (this.levelPct <= 50) this.filling = true;
      if (this.levelPct >= 60) this.filling = false;
      this.levelPct += (this.filling ? 30 : -3) * h;
    }
    const permitted = this.available && this.enabled && this.levelPct > LEVEL_LOW_CUTOFF_PCT;
    const wanted = this.shareKw / this.capacityKw + 0.05 * (setpointC - this.waterC);
    const wasOn = this.burnerOn;
    if (!permitted) this.burnerOn = false;
    else if (this.burnerOn && wanted < minFire && this.waterC >= setpointC + HYSTERESIS_K)
      this.burnerOn = false;
    else if (!this.burnerOn && (this.waterC <= setpointC - HYSTERESIS_K || wanted >= minFire + 0.1))
      this.burnerOn = true;
    if (this.burnerOn && !wasOn) this.starts += 1;
    this.firing = this.burnerOn ? Math.min(1, Math.max(minFire, wanted)) : 0;
    const burnerKw = this.firing * this.capacityKw;
    // An isolated boiler only loses a little heat through its casing.
    const outKw = this.enabled
      ? this.shareKw
      : 0.004 * this.capacityKw * Math.max(0, (this.waterC - 20) / 60);
    this.waterC = Math.min(110, Math.max(15, this.waterC + ((burnerKw - outKw) * h) / this.thermalMass));
    // The flue follows the fire within minutes: hotter at high fire, far hotter with fouled tubes.
    const flueTarget = this.burnerOn
      ? 110 + 70 * this.firing + (this.faults.has('high-flue') ? 110 : 0)
      : this.waterC - 5;
    this.flueC += (flueTarget - this.flueC) * Math.min(1, h / 0.05);
    if (this.burnerOn) this.runHours += h;
    const gas = (burnerKw / (this.p.efficiency * GAS_KWH_PER_M3)) * h;
    this.gasM3 += gas;
    return gas;
  }

  private instantGasFlow(): number {
    return (this.firing * this.capacityKw) / (this.p.efficiency * GAS_KWH_PER_M3);
  }

  /** A boiler fault on or off (simulators/faults.ts). */
  condition(fault: BoilerFault, on: boolean): void {
    if (on) this.faults.add(fault);
    else this.faults.delete(fault);
    if (fault === 'low-water' && !on) this.levelPct = 55;
  }

  counter(point: string): Counter | undefined {
    if (point === 'gas_volume_m3') return { perHour: this.gasFlow, set: (m3) => (this.gasM3 = m3) };
    if (point === 'run_hours')
      return { perHour: this.burnerOn ? 1 : 0, set: (hours) => (this.runHours = hours) };
    return undefined;
  }

  get heatKw(): number {
    return this.firing * this.capacityKw;
  }

  values(): Values {
    const noise = this.noise;
    const supply = this.waterC + noise(0.1);
    // A constant-flow boiler pump: the return is short of the supply by the heat taken out.
    const returnC = this.enabled ? supply - (DESIGN_DT * this.shareKw) / this.capacityKw : supply - 0.3;
    const pressure = this.faults.has('over-pressure') ? 6.6 : this.p.staticBar + 0.03 * (this.waterC - 70);
    let faultCode = 0;
    for (const f of ['burner-lockout', 'low-water', 'over-pressure'] as const)
      if (this.faults.has(f)) faultCode = faultCode || BOILER_FAULT_CODES[f];
    return {
      supply_temp: supply,
      return_temp: returnC,
      shell_pressure_bar: pressure + noise(0.02),
      water_level_pct: this.levelPct + noise(0.2),
      firing_rate_pct: this.firing * 100,
      heat_output_kw: this.heatKw,
      flue_temp: this.flueC + noise(0.5),
      gas_flow_m3h: this.instantGasFlow(),
      gas_volume_m3: this.gasM3,
      burner_on: this.burnerOn,
      lockout: this.faults.has('burner-lockout'),
      enabled: this.enabled,
      fault_code: faultCode,
      burner_starts: this.starts,
      run_hours: this.runHours,
    };
  }
}
