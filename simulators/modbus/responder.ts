/**
 * Answers one line's read requests for every unit id on it, from the devices' register
 * banks, with the communication faults applied, and Read Device Identification (function
 * 43/14) for the devices that have an identity. Transports (TCP, RTU) only move bytes.
 */
import type { PlantConfig } from '../../src/config/index.js';
import type { ModbusLineConfig, RegisterTable } from '../../src/config/schema.js';
import type { Faults } from '../faults.js';
import { type ReadAnswer, type RegisterBank, readBank } from '../register-bank.js';

export type Answer = ReadAnswer | 'silent';

/** A device's identification objects by object id: 0 VendorName, 1 ProductCode, 2 MajorMinorRevision, 4 ProductName… */
export type DeviceIdentity = Record<number, string>;

/** How a unit that is not there, or not answering, answers: a gateway's exception, or silence. */
type NoAnswer = { exception: number } | 'silent';

export type IdentityAnswer = { objects: DeviceIdentity } | NoAnswer;

const ILLEGAL_FUNCTION = 1;

/** Exception a Modbus TCP gateway answers for a unit behind it that does not respond. */
const GATEWAY_TARGET_FAILED = 11;

/** The protocol's limits on one read (Modbus application protocol, §6.1–6.4). */
const MAX_WORDS = 125;
const MAX_BITS = 2000;
const ILLEGAL_DATA_VALUE = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LineResponder {
  requests = 0;

  constructor(
    readonly line: ModbusLineConfig,
    private readonly units: Map<number, string>,
    private readonly banks: Map<string, RegisterBank>,
    private readonly faults: Faults,
    /** By device id; a device without one refuses function 43, as many older devices do. */
    private readonly identities: ReadonlyMap<string, DeviceIdentity> = new Map(),
  ) {}

  /** A TCP endpoint with several units is a gateway: it answers for dead units itself. */
  private get isTcpGateway(): boolean {
    return this.line.transport === 'tcp' && this.units.size > 1;
  }

  /** A TCP endpoint answers for a unit id it does not have; an RS-485 bus stays silent. */
  private get nobody(): NoAnswer {
    return this.line.transport === 'tcp' ? { exception: GATEWAY_TARGET_FAILED } : 'silent';
  }

  /** Read Device Identification: the unit's objects, or its refusal, under the same faults as reads. */
  async identify(unitId: number): Promise<IdentityAnswer> {
    this.requests++;
    const device = this.units.get(unitId);
    if (!device) return this.nobody;
    const comm = this.faults.comm(device);
    if (comm.offline) return this.noResponse();
    if (comm.delayMs > 0) await sleep(comm.delayMs);
    const objects = this.identities.get(device);
    return objects ? { objects } : { exception: ILLEGAL_FUNCTION };
  }

  async answer(unitId: number, table: RegisterTable, start: number, count: number): Promise<Answer> {
    this.requests++;
    const device = this.units.get(unitId);
    const bank = device ? this.banks.get(device) : undefined;
    if (!device || !bank) return this.nobody;
    const comm = this.faults.comm(device);
    if (comm.offline) return this.noResponse();
    if (comm.delayMs > 0) await sleep(comm.delayMs);
    const ex = comm.exception;
    if (ex && start <= ex.to && start + count - 1 >= ex.from) return { exception: ex.code };
    if (count < 1 || count > (table === 'coil' || table === 'discrete' ? MAX_BITS : MAX_WORDS))
      return { exception: ILLEGAL_DATA_VALUE };
    return readBank(bank, table, start, count);
  }

  private async noResponse(): Promise<NoAnswer> {
    if (!this.isTcpGateway) return 'silent';
    await sleep(this.line.timeout / 2);
    return { exception: GATEWAY_TARGET_FAILED };
  }
}

/** The firmware revision every simulated device reports (profiles have none). */
export const SIMULATED_REVISION = '1.0';

/**
 * What each Modbus device of `config` says it is: its profile's maker, model and name. A
 * device whose profile names no maker or model has no identity: it refuses function 43.
 */
export function identitiesOf(config: PlantConfig): Map<string, DeviceIdentity> {
  const identities = new Map<string, DeviceIdentity>();
  for (const device of config.devices) {
    const profile = config.profiles.get(device.profile);
    if (!('modbus' in device) || !profile?.maker || !profile.model) continue;
    identities.set(device.id, {
      0: profile.maker,
      1: profile.model,
      2: SIMULATED_REVISION,
      4: profile.name,
    });
  }
  return identities;
}
