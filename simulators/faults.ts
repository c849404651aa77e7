/**
 * Faults a plant room actually sees, injected from tests, the CLI or the control API:
 * the communication ones are applied where requests are answered (a Modbus line, a BACnet
 * device) or readings published (an MQTT meter), the physical ones in the plant model, and a
 * BACnet object's own health (out of service, fault flag) on the simulated BACnet device.
 */
import { z } from 'zod';
import type { PlantModel } from './plant.js';

export const faultSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offline') }),
  z.strictObject({ type: z.literal('slow'), delayMs: z.number().int().positive().max(60_000) }),
  z.strictObject({
    type: z.literal('exception'),
    code: z.number().int().min(1).max(255),
    from: z.number().int().min(0).max(65535).optional(),
    to: z.number().int().min(0).max(65535).optional(),
  }),
  z.strictObject({ type: z.literal('out-of-range'), point: z.string().min(1), value: z.number() }),
  z.strictObject({ type: z.literal('stuck') }),
  z.strictObject({ type: z.literal('trip') }),
  z.strictObject({ type: z.literal('leak'), flowM3h: z.number().positive() }),
  z.strictObject({ type: z.literal('rollover'), point: z.string().optional() }),
  // Elevators: a passenger trapped (car stopped between floors); the car stopped out of service.
  z.strictObject({ type: z.literal('trapped') }),
  z.strictObject({ type: z.literal('elevator-stop') }),
  // Boilers: flame failure locks the burner out; low water and over-pressure stop it; a fouled flue runs hot.
  z.strictObject({ type: z.literal('burner-lockout') }),
  z.strictObject({ type: z.literal('low-water') }),
  z.strictObject({ type: z.literal('over-pressure') }),
  z.strictObject({ type: z.literal('high-flue') }),
  // The make-up softener's resin exhausted (no salt, no regeneration): hard water reaches the boilers.
  z.strictObject({ type: z.literal('softener-exhausted') }),
  // BACnet: one object (the point's), or every object of the device when no point is named.
  z.strictObject({ type: z.literal('out-of-service'), point: z.string().min(1).optional() }),
  z.strictObject({ type: z.literal('fault-flag'), point: z.string().min(1).optional() }),
]);

export type Fault = z.infer<typeof faultSchema>;

const FAULT_TYPES: readonly string[] = faultSchema.options.map((o) => o.shape.type.value);

type BoilerFault = 'burner-lockout' | 'low-water' | 'over-pressure' | 'high-flue';
const BOILER_FAULTS: readonly string[] = ['burner-lockout', 'low-water', 'over-pressure', 'high-flue'];

export interface FaultController {
  inject(deviceId: string, fault: Fault): void;
  clear(deviceId: string, type?: Fault['type']): void;
  list(): { device: string; fault: Fault }[];
}

/** A BACnet object's health under the faults: which points' objects are out of service or flag a fault. */
export interface ObjectFaults {
  outOfService(point: string): boolean;
  faultFlag(point: string): boolean;
}

/** How a device answers requests under its communication faults. */
export interface CommFaults {
  offline: boolean;
  delayMs: number;
  exception?: { code: number; from: number; to: number };
}

export class Faults implements FaultController {
  private readonly active = new Map<string, Map<Fault['type'], Fault>>();

  constructor(
    private readonly plant: PlantModel,
    /** The physics step, to place a rolled-over counter a few ticks from its ceiling. */
    private readonly tickMs = 1000,
  ) {}

  inject(deviceId: string, input: Fault): void {
    const parsed = faultSchema.safeParse(input);
    if (!parsed.success) {
      throw new Error(
        `invalid fault for ${deviceId}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'fault'}: ${i.message}`).join('; ')}`,
      );
    }
    const fault = parsed.data;
    const model = this.plant.model(deviceId); // throws for an unknown device
    const protocol = this.plant.profileOf(deviceId)?.protocol;
    if (fault.type === 'exception' && protocol === 'mqtt')
      throw new Error(
        `device ${deviceId} reports over MQTT: Modbus exceptions do not apply (offline, slow, stuck, out-of-range and leak do)`,
      );
    if (fault.type === 'exception' && protocol === 'bacnet')
      throw new Error(
        `device ${deviceId} answers on BACnet: Modbus exceptions do not apply (offline, slow, stuck, out-of-range, trip, out-of-service and fault-flag do)`,
      );
    if (fault.type === 'out-of-service' || fault.type === 'fault-flag') this.checkObject(deviceId, fault);
    switch (fault.type) {
      case 'out-of-range':
        this.plant.setOverride(deviceId, fault.point, fault.value);
        break;
      case 'stuck':
        this.plant.freeze(deviceId, true);
        break;
      case 'trip':
        if (!model.trip)
          throw new Error(
            `device ${deviceId} cannot trip (only chillers, pumps, power meters' breakers, the oxygen station and air-handling units' supply fans)`,
          );
        model.trip(true);
        break;
      case 'leak':
        if (!model.leak)
          throw new Error(`device ${deviceId} is not a water meter nor a boiler loop's make-up`);
        model.leak(fault.flowM3h);
        break;
      case 'rollover':
        this.rollover(deviceId, fault.point ?? 'energy_kwh');
        break;
      case 'trapped':
        if (!model.trap) throw new Error(`device ${deviceId} is not an elevator`);
        model.trap(true);
        break;
      case 'elevator-stop':
        if (!model.stopService) throw new Error(`device ${deviceId} is not an elevator`);
        model.stopService(true);
        break;
      case 'burner-lockout':
      case 'low-water':
      case 'over-pressure':
      case 'high-flue':
        if (!model.condition) throw new Error(`device ${deviceId} is not a boiler`);
        model.condition(fault.type, true);
        break;
      case 'softener-exhausted':
        if (!model.exhaust) throw new Error(`device ${deviceId} is not a softener (make-up water)`);
        model.exhaust(true);
        break;
      default:
        break;
    }
    const forDevice = this.active.get(deviceId) ?? new Map();
    forDevice.set(fault.type, fault);
    this.active.set(deviceId, forDevice);
  }

  clear(deviceId: string, type?: Fault['type']): void {
    const model = this.plant.model(deviceId);
    if (type !== undefined && !FAULT_TYPES.includes(type))
      throw new Error(`unknown fault type "${type}" (expected one of: ${FAULT_TYPES.join(', ')})`);
    const forDevice = this.active.get(deviceId);
    if (!forDevice) return;
    for (const fault of [...forDevice.values()]) {
      if (type && fault.type !== type) continue;
      forDevice.delete(fault.type);
      if (fault.type === 'out-of-range') this.plant.clearOverride(deviceId, fault.point);
      if (fault.type === 'stuck') this.plant.freeze(deviceId, false);
      if (fault.type === 'trip') model.trip?.(false);
      if (fault.type === 'leak') model.leak?.(0);
      if (fault.type === 'trapped') model.trap?.(false);
      if (fault.type === 'elevator-stop') model.stopService?.(false);
      if (fault.type === 'softener-exhausted') model.exhaust?.(false);
      if (BOILER_FAULTS.includes(fault.type)) model.condition?.(fault.type as BoilerFault, false);
    }
  }

  list(): { device: string; fault: Fault }[] {
    return [...this.active].flatMap(([device, faults]) =>
      [...faults.values()].map((fault) => ({ device, fault })),
    );
  }

  comm(deviceId: string): CommFaults {
    const faults = this.active.get(deviceId);
    const exception = faults?.get('exception') as Extract<Fault, { type: 'exception' }> | undefined;
    const slow = faults?.get('slow') as Extract<Fault, { type: 'slow' }> | undefined;
    return {
      offline: faults?.has('offline') ?? false,
      delayMs: slow?.delayMs ?? 0,
      ...(exception
        ? { exception: { code: exception.code, from: exception.from ?? 0, to: exception.to ?? 65535 } }
        : {}),
    };
  }

  /** The BACnet objects' health faults of a device (none for a device that has none). */
  objects(deviceId: string): ObjectFaults {
    const faults = this.active.get(deviceId);
    const applies = (type: 'out-of-service' | 'fault-flag') => {
      const fault = faults?.get(type) as Extract<Fault, { type: typeof type }> | undefined;
      return (point: string) => fault !== undefined && (fault.point === undefined || fault.point === point);
    };
    return { outOfService: applies('out-of-service'), faultFlag: applies('fault-flag') };
  }

  /** Out-of-service and fault-flag need a device on BACnet, and a point of its BACnet profile. */
  private checkObject(deviceId: string, fault: { type: string; point?: string | undefined }): void {
    const profile = this.plant.bacnetProfileOf(deviceId);
    if (!profile)
      throw new Error(
        `device ${deviceId} does not answer on BACnet: ${fault.type} applies to a BACnet object (offline, slow, stuck and out-of-range apply to every device)`,
      );
    const names = profile.points.map((p) => p.name);
    if (fault.point !== undefined && !names.includes(fault.point))
      throw new Error(
        `device "${deviceId}" has no BACnet point "${fault.point}" (profile "${profile.id}" has: ${names.join(', ')})`,
      );
  }

  private rollover(deviceId: string, pointName: string): void {
    const profile = this.plant.profileOf(deviceId);
    const point =
      profile?.protocol === 'modbus' ? profile.points.find((p) => p.name === pointName) : undefined;
    const bits = point ? UNSIGNED_BITS[point.type] : undefined;
    if (!point?.counter || bits === undefined) {
      throw new Error(
        `rollover needs an unsigned integer register: ${deviceId} has no Modbus counter point "${pointName}" of type uint16/uint32/uint64`,
      );
    }
    const counter = this.plant.model(deviceId).counter?.(pointName);
    if (!counter) throw new Error(`${deviceId}.${pointName} is not a counter the simulator integrates`);
    // Just below the register's ceiling, by what the counter gains in about three ticks
    // (at least half a register step, so the register shows its maximum before it wraps).
    const ceiling = 2 ** bits * point.scale + point.offset;
    const threeTicksHours = (3 * this.tickMs * this.plant.speed) / 3_600_000;
    counter.set(ceiling - Math.max(counter.perHour * threeTicksHours, 0.5 * point.scale));
  }
}

const UNSIGNED_BITS: Partial<Record<string, number>> = { uint16: 16, uint32: 32, uint64: 64 };
