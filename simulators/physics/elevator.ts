/**
 * Elevator, as its monitoring terminal sees it: the car waits at a floor with its doors
 * closed until a call comes, travels to the called floor, opens its doors for a dwell and
 * waits again. Calls come more often by day (outpatients, visitors, day staff) than by night
 * (wards, night shift, meals), so the run count and run hours grow faster by day.
 *
 * Floors are numbered as buildings in China number them: 1 is the ground floor, -1 the first
 * basement, and there is no floor 0. Calls are drawn from the device's seeded noise, so the
 * same device on the same clock makes the same trips.
 */
import { z } from 'zod';
import type { Environment } from './environment.js';
import { parseParams } from './params.js';
import type { Counter, EquipmentModel, ModelContext, Values } from './types.js';

const Params = z.strictObject({
  /** The top floor served. */
  topFloor: z.number().int().min(2).default(12),
  /** The lowest floor served: 1, or -1, -2 for basements. */
  lowestFloor: z
    .number()
    .int()
    .refine((f) => f !== 0, 'no floor 0: 1 is the ground floor, -1 the first basement')
    .default(1),
  /** Trips an hour in the day's busiest hours, and at night. */
  dayTripsPerHour: z.number().positive().default(40),
  nightTripsPerHour: z.number().positive().default(4),
  /** Travel time per floor at rated speed, and what starting and stopping add to a trip. */
  secondsPerFloor: z.number().positive().default(2.5),
  startStopSeconds: z.number().nonnegative().default(4),
  /** Doors open at the landing: opening, passengers, closing. */
  doorSeconds: z.number().positive().default(10),
});

/** The terminal's fault codes (a generic numbering: each maker has its own). */
export const ELEVATOR_FAULT = {
  none: 0,
  /** The car stopped outside a door zone (between floors): passengers cannot get out. */
  stoppedOutsideDoorZone: 1,
  /** The safety circuit opened: the car stops at its floor and is out of service. */
  safetyCircuitOpen: 2,
} as const;

/** direction: 0 stopped, 1 up, 2 down (the profile's state point). */
export const DIRECTION = { stopped: 0, up: 1, down: 2 } as const;

type Phase = 'waiting' | 'moving' | 'doors';

export class ElevatorModel implements EquipmentModel {
  readonly id: string;
  private readonly params: z.infer<typeof Params>;
  private readonly noise: ModelContext['noise'];
  /** The floors served, bottom to top; the car's position is an index into them (fractional between floors). */
  private readonly floors: number[];
  private position = 0;
  private target = 0;
  private heading: number = DIRECTION.stopped;
  private phase: Phase = 'waiting';
  /** Seconds left in the current phase. */
  private left: number;
  private runCount: number;
  private runHours: number;
  private trapped = false;
  private stopped = false;

  constructor(ctx: ModelContext) {
    this.params = parseParams(ctx.id, Params, ctx.params);
    const { lowestFloor, topFloor } = this.params;
    if (lowestFloor >= topFloor)
      throw new Error(
        `simulation.yaml: devices.${ctx.id}: lowestFloor (${lowestFloor}) must be below topFloor (${topFloor})`,
      );
    this.id = ctx.id;
    this.noise = ctx.noise;
    this.floors = [];
    for (let f = lowestFloor; f <= topFloor; f++) if (f !== 0) this.floors.push(f);
    // A lift in service for years: its counters do not start at zero.
    this.runCount = Math.round(300_000 + Math.abs(ctx.noise(200_000)));
    this.runHours = 8_000 + Math.abs(ctx.noise(6_000));
    this.position = this.floors.indexOf(1);
    this.left = 0;
  }

  /** A uniform draw in [0, 1) from the device's seeded noise. */
  private uniform(): number {
    return this.noise(0.5) + 0.5;
  }

  /** Seconds until the next call at this rate (exponential, as independent calls arrive). */
  private waitSeconds(tripsPerHour: number): number {
    return (-Math.log(1 - this.uniform()) * 3600) / tripsPerHour;
  }

  step(env: Environment, dtHours: number): void {
    if (this.trapped || this.stopped) return;
    const { dayTripsPerHour, nightTripsPerHour } = this.params;
    const rate = nightTripsPerHour + (dayTripsPerHour - nightTripsPerHour) * env.occupancy;
    let seconds = dtHours * 3600;
    // Phase by phase until the step's time is used up (hundreds per step of history's 15 min).
    while (seconds > 0) {
      const used = Math.min(seconds, this.left);
      seconds -= used;
      this.left -= used;
      if (this.phase === 'moving') {
        this.runHours += used / 3600;
        this.position = this.target - Math.sign(this.target - this.position) * this.travelLeft();
      }
      if (this.left > 0) break;
      this.next(rate);
    }
  }

  /** Floors still to travel, by the time left of the trip (starting and stopping at its ends). */
  private travelLeft(): number {
    const moving = Math.max(0, this.left - this.params.startStopSeconds / 2);
    return Math.min(Math.abs(this.target - this.position), moving / this.params.secondsPerFloor);
  }

  private next(rate: number): void {
    if (this.phase === 'waiting') {
      // A call: any other floor, the ground floor most often (the lobby, the car park lifts).
      const lobby = this.floors.indexOf(1);
      const draw = this.uniform();
      let target =
        draw < 0.4 && this.position !== lobby ? lobby : Math.floor(this.uniform() * this.floors.length);
      if (target === Math.round(this.position)) target = (target + 1) % this.floors.length;
      this.target = target;
      this.heading = target > this.position ? DIRECTION.up : DIRECTION.down;
      this.phase = 'moving';
      this.left =
        Math.abs(target - this.position) * this.params.secondsPerFloor + this.params.startStopSeconds;
    } else if (this.phase === 'moving') {
      this.position = this.target;
      this.runCount += 1;
      this.phase = 'doors';
      this.left = this.params.doorSeconds;
    } else {
      this.phase = 'waiting';
      this.left = this.waitSeconds(rate);
    }
  }

  /** A passenger trapped: the car stops between floors with its doors closed. */
  trap(on: boolean): void {
    if (on && !this.trapped) {
      const below = Math.min(Math.floor(this.position), this.floors.length - 2);
      this.position = below + 0.5;
    } else if (!on && this.trapped) {
      // Rescued: the car is brought to the floor below and waits there.
      this.position = Math.floor(this.position);
      this.phase = 'waiting';
      this.left = 0;
    }
    this.trapped = on;
  }

  /** The safety circuit opens: the car stops at its floor, out of service. */
  stopService(on: boolean): void {
    if (on && !this.stopped) {
      this.position = Math.round(this.position);
      this.phase = 'waiting';
      this.left = 0;
    }
    this.stopped = on;
  }

  counter(point: string): Counter | undefined {
    const busy = this.phase === 'moving' && !this.trapped && !this.stopped;
    if (point === 'run_hours') return { perHour: busy ? 1 : 0, set: (h) => (this.runHours = h) };
    if (point === 'run_count')
      return { perHour: this.params.dayTripsPerHour, set: (n) => (this.runCount = Math.round(n)) };
    return undefined;
  }

  values(): Values {
    const moving = this.phase === 'moving' && !this.trapped && !this.stopped;
    return {
      in_service: !this.trapped && !this.stopped,
      running: moving,
      direction: moving ? this.heading : DIRECTION.stopped,
      // The floor the car is at or last passed, as a landing indicator shows it.
      floor: this.floors[Math.floor(this.position + 1e-9)] ?? 1,
      door_open: this.phase === 'doors' && !this.trapped && !this.stopped,
      fault_code: this.trapped
        ? ELEVATOR_FAULT.stoppedOutsideDoorZone
        : this.stopped
          ? ELEVATOR_FAULT.safetyCircuitOpen
          : ELEVATOR_FAULT.none,
      passenger_trapped: this.trapped,
      run_count: this.runCount,
      run_hours: this.runHours,
    };
  }
}
