import type { Environment } from './environment.js';
import type { Noise } from './noise.js';

export type Values = Record<string, number | boolean>;

/** One piece of equipment's physics: advanced by `step`, read through `values`. */
export interface EquipmentModel {
  readonly id: string;
  step(env: Environment, dtHours: number, plant: PlantView): void;
  values(): Values;
  /** Fault hooks; equipment that has no such thing ignores them. */
  trip?(on: boolean): void;
  leak?(flowM3h: number): void;
  /** Elevators: a passenger trapped (the car stopped between floors); the car stopped out of service. */
  trap?(on: boolean): void;
  stopService?(on: boolean): void;
  /** Make-up water: the softener's resin exhausted, hardness breaking through. */
  exhaust?(on: boolean): void;
  /** Boilers: a burner lockout, low water, over-pressure or a fouled (hot) flue. */
  condition?(fault: 'burner-lockout' | 'low-water' | 'over-pressure' | 'high-flue', on: boolean): void;
  /** A cumulative counter the model integrates (kWh, m³, run hours), for the rollover fault. */
  counter?(point: string): Counter | undefined;
}

export interface Counter {
  /** How fast it grows now, in counter units per simulated hour. */
  perHour: number;
  set(value: number): void;
}

/** What a model may read of the others (feeders sum their loads, incomers their feeders). */
export interface PlantView {
  byId(id: string): EquipmentModel | undefined;
  all(): EquipmentModel[];
  roomOf(id: string): string;
  kindOf(id: string): string;
  param(id: string, key: string): number | string | boolean | undefined;
}

export interface ModelContext {
  id: string;
  params: Record<string, number | string | boolean>;
  noise: Noise;
}
