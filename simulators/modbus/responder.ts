/**
 * Answers one line's read requests for every unit id on it, from the devices' register
 * banks, with the communication faults applied. Transports (TCP, RTU) only move bytes.
 */
import type { ModbusLineConfig, RegisterTable } from '../../src/config/schema.js';
import type { Faults } from '../faults.js';
import { type ReadAnswer, type RegisterBank, readBank } from '../register-bank.js';

export type Answer = ReadAnswer | 'silent';

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
  ) {}

  /** A TCP endpoint with several units is a gateway: it answers for dead units itself. */
  private get isTcpGateway(): boolean {
    return this.line.transport === 'tcp' && this.units.size > 1;
  }

  async answer(unitId: number, table: RegisterTable, start: number, count: number): Promise<Answer> {
    this.requests++;
    const device = this.units.get(unitId);
    const bank = device ? this.banks.get(device) : undefined;
    // A TCP endpoint answers for a unit id it does not have; an RS-485 bus stays silent.
    if (!device || !bank)
      return this.line.transport === 'tcp' ? { exception: GATEWAY_TARGET_FAILED } : 'silent';
    const comm = this.faults.comm(device);
    if (comm.offline) return this.noResponse();
    if (comm.delayMs > 0) await sleep(comm.delayMs);
    const ex = comm.exception;
    if (ex && start <= ex.to && start + count - 1 >= ex.from) return { exception: ex.code };
    if (count < 1 || count > (table === 'coil' || table === 'discrete' ? MAX_BITS : MAX_WORDS))
      return { exception: ILLEGAL_DATA_VALUE };
    return readBank(bank, table, start, count);
  }

  private async noResponse(): Promise<Answer> {
    if (!this.isTcpGateway) return 'silent';
    await sleep(this.line.timeout / 2);
    return { exception: GATEWAY_TARGET_FAILED };
  }
}
