/**
 * The simulated plant: one physics model per device, stepped on a simulated clock, with
 * the faults and test overrides applied on top of what the physics says.
 */
import { bacnetAddress, MAX_INSTANCE } from '../src/config/bacnet-schema.js';
import type { PlantConfig } from '../src/config/index.js';
import type { BacnetProfile, DeviceConfig, Profile } from '../src/config/schema.js';
import { AhuModel } from './physics/ahu.js';
import { BoilerModel } from './physics/boiler.js';
import { ChillerModel } from './physics/chiller.js';
import { ElevatorModel } from './physics/elevator.js';
import { type Environment, environmentAt } from './physics/environment.js';
import { GasMeterModel } from './physics/gas-meter.js';
import { HeatExchangerModel } from './physics/heat-station.js';
import { MakeupWaterModel } from './physics/makeup-water.js';
import { seededNoise } from './physics/noise.js';
import { OxygenStationModel } from './physics/oxygen.js';
import { PowerMeterModel } from './physics/power-meter.js';
import { PumpModel } from './physics/pump.js';
import type { EquipmentModel, ModelContext, PlantView, Values } from './physics/types.js';
import { WaterMeterModel } from './physics/water-meter.js';
import { WeatherStationModel } from './physics/weather-station.js';

const MODELS: Record<string, new (ctx: ModelContext) => EquipmentModel> = {
  chiller: ChillerModel,
  pump: PumpModel,
  'power-meter': PowerMeterModel,
  'water-meter': WaterMeterModel,
  'oxygen-station': OxygenStationModel,
  'weather-station': WeatherStationModel,
  'air-handling-unit': AhuModel,
  elevator: ElevatorModel,
  boiler: BoilerModel,
  'heat-exchanger': HeatExchangerModel,
  'water-treatment': MakeupWaterModel,
  'gas-meter': GasMeterModel,
};

/**
 * A device that also answers on BACnet/IP through a card of its own (a chiller's BACnet card
 * beside its Modbus one): simulation.yaml's `bacnetCard` (a bacnet profile), `bacnetInstance`
 * and `bacnetAddress` ("127.0.0.1:47911") of the device.
 */
export interface BacnetCard {
  profile: BacnetProfile;
  instance: number;
  address: string;
}

/** A device whose profile has no physics (equipment "other"): values only via setValue. */
class StaticModel implements EquipmentModel {
  constructor(readonly id: string) {}
  step(): void {}
  values(): Values {
    return {};
  }
}

/** Incomers measure their feeders, so they are stepped last; boilers carry the exchangers' load, gas meters measure the boilers. */
const stepOrder = (m: EquipmentModel) =>
  m instanceof PowerMeterModel
    ? m.role === 'incomer'
      ? 2
      : 1
    : m instanceof BoilerModel
      ? 1
      : m instanceof GasMeterModel
        ? 2
        : 0;

export class PlantModel implements PlantView {
  private readonly models = new Map<string, EquipmentModel>();
  private readonly ordered: EquipmentModel[];
  private readonly devices = new Map<string, DeviceConfig>();
  private readonly overrides = new Map<string, Values>();
  private readonly frozen = new Map<string, Values>();
  private readonly cards = new Map<string, BacnetCard>();
  private simTime: number;
  private lastReal: number;
  env: Environment;

  constructor(
    private readonly config: PlantConfig,
    private readonly now: () => number = Date.now,
  ) {
    for (const device of config.devices) {
      if (!device.enabled) continue;
      this.devices.set(device.id, device);
      const equipment = config.profiles.get(device.profile)?.equipment ?? 'other';
      const Model = MODELS[equipment];
      // publishEvery belongs to the MQTT publisher, the bacnet* keys to a BACnet card: not to the physics.
      const {
        publishEvery: _publishEvery,
        bacnetCard,
        bacnetInstance,
        bacnetAddress: cardAddress,
        ...params
      } = config.simulation.devices[device.id] ?? {};
      const card = bacnetCardOf(config, device.id, {
        bacnetCard,
        bacnetInstance,
        bacnetAddress: cardAddress,
      });
      if (card) this.cards.set(device.id, card);
      const ctx: ModelContext = {
        id: device.id,
        params,
        noise: seededNoise(device.id),
      };
      this.models.set(device.id, Model ? new Model(ctx) : new StaticModel(device.id));
    }
    this.ordered = [...this.models.values()].sort((a, b) => stepOrder(a) - stepOrder(b));
    this.simTime = this.now();
    this.lastReal = this.simTime;
    this.env = environmentAt(this.simTime, config.simulation.weather, config.energy.timezone);
    this.step();
  }

  /** Advance the simulated clock by the real time elapsed × speed, and every model with it. */
  step(): void {
    const real = this.now();
    const dtMs = Math.max(0, real - this.lastReal) * this.config.simulation.speed;
    this.lastReal = real;
    this.simTime += dtMs;
    this.env = environmentAt(this.simTime, this.config.simulation.weather, this.config.energy.timezone);
    for (const model of this.ordered) model.step(this.env, dtMs / 3_600_000, this);
  }

  /** Simulated time runs this many times faster than real time. */
  get speed(): number {
    return this.config.simulation.speed;
  }

  profileOf(id: string): Profile | undefined {
    const device = this.devices.get(id);
    return device ? this.config.profiles.get(device.profile) : undefined;
  }

  /** The device's BACnet card, when simulation.yaml gives it one. */
  bacnetCard(id: string): BacnetCard | undefined {
    return this.cards.get(id);
  }

  /** What the device answers on BACnet/IP with: its own bacnet profile, or its card's. */
  bacnetProfileOf(id: string): BacnetProfile | undefined {
    const profile = this.profileOf(id);
    return profile?.protocol === 'bacnet' ? profile : this.cards.get(id)?.profile;
  }

  has(id: string): boolean {
    return this.models.has(id);
  }

  model(id: string): EquipmentModel {
    const model = this.models.get(id);
    if (!model)
      throw new Error(`unknown device "${id}" (expected one of: ${[...this.models.keys()].join(', ')})`);
    return model;
  }

  /** What the device reports now: physics, unless frozen (stuck) or overridden. */
  values(id: string): Values {
    const base = this.frozen.get(id) ?? this.model(id).values();
    return { ...base, ...this.overrides.get(id) };
  }

  setOverride(id: string, point: string, value: number | boolean): void {
    this.model(id);
    const profile = this.profileOf(id);
    const names = profile?.points.map((p) => p.name) ?? [];
    // A misspelt point would be served nowhere: say so rather than let a test pass on nothing.
    if (!names.includes(point))
      throw new Error(
        `device "${id}" has no point "${point}" (profile "${profile?.id}" has: ${names.join(', ')})`,
      );
    this.overrides.set(id, { ...this.overrides.get(id), [point]: value });
  }

  clearOverride(id: string, point: string): void {
    const o = this.overrides.get(id);
    if (o) delete o[point];
  }

  freeze(id: string, on: boolean): void {
    if (on) this.frozen.set(id, this.model(id).values());
    else this.frozen.delete(id);
  }

  // PlantView
  byId(id: string): EquipmentModel | undefined {
    return this.models.get(id);
  }
  all(): EquipmentModel[] {
    return this.ordered;
  }
  roomOf(id: string): string {
    const d = this.devices.get(id);
    return d ? `${d.site}/${d.building}/${d.room}` : '';
  }
  kindOf(id: string): string {
    const d = this.devices.get(id);
    return d ? (this.config.profiles.get(d.profile)?.equipment ?? 'other') : 'other';
  }
  param(id: string, key: string): number | string | boolean | undefined {
    return this.config.simulation.devices[id]?.[key];
  }
}

type CardKeys = Record<
  'bacnetCard' | 'bacnetInstance' | 'bacnetAddress',
  number | string | boolean | undefined
>;

/** A device's BACnet card from its simulation.yaml keys, checked: the errors name the device and the key. */
function bacnetCardOf(config: PlantConfig, id: string, keys: CardKeys): BacnetCard | undefined {
  const given = Object.entries(keys).filter(([, v]) => v !== undefined);
  if (given.length === 0) return undefined;
  const fail = (key: string, message: string): never => {
    throw new Error(`simulation.yaml: devices.${id}: ${key}: ${message}`);
  };
  for (const key of Object.keys(keys) as (keyof CardKeys)[])
    if (keys[key] === undefined)
      fail(key, 'a BACnet card needs bacnetCard (its profile), bacnetInstance and bacnetAddress');
  const profile = config.profiles.get(String(keys.bacnetCard));
  if (profile?.protocol !== 'bacnet')
    fail('bacnetCard', `expected the id of a bacnet profile (got "${keys.bacnetCard}")`);
  const instance = keys.bacnetInstance;
  if (typeof instance !== 'number' || !Number.isInteger(instance) || instance < 0 || instance > MAX_INSTANCE)
    fail('bacnetInstance', `expected a device instance from 0 to ${MAX_INSTANCE} (got ${instance})`);
  const address = String(keys.bacnetAddress);
  const checked = bacnetAddress.safeParse(address);
  if (!checked.success) fail('bacnetAddress', checked.error.issues[0]?.message ?? 'an IPv4 address');
  return { profile: profile as BacnetProfile, instance: instance as number, address };
}
