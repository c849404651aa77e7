/** An RS-485 line: a socat pty pair with the simulator's RTU slaves on the far end. */
import { SerialPort } from 'serialport';
import type { ModbusLineConfig } from '../../src/config/schema.js';
import type { LineResponder } from '../modbus/responder.js';
import { attachRtuSlave } from '../modbus/rtu-slave.js';
import { createPtyPair, type PtyPair } from './pty-pair.js';

type RtuLine = Extract<ModbusLineConfig, { transport: 'rtu' }>;

export class SimulatedSerialLine {
  private pty: PtyPair | undefined;
  private port: SerialPort | undefined;

  constructor(
    private readonly line: RtuLine,
    private readonly responder: LineResponder,
  ) {}

  get simulatorPath(): string {
    return `${this.line.path}.sim`;
  }

  async plugIn(): Promise<void> {
    this.pty = await createPtyPair(this.line.path, this.simulatorPath);
    const port = new SerialPort({
      path: this.simulatorPath,
      baudRate: this.line.baudRate,
      dataBits: this.line.dataBits,
      parity: this.line.parity,
      stopBits: this.line.stopBits,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const { baudRate, dataBits, parity, stopBits } = this.line;
    const bitsPerChar = 1 + dataBits + (parity === 'none' ? 0 : 1) + stopBits;
    attachRtuSlave(port, this.responder, { baudRate, bitsPerChar });
    this.port = port;
  }

  async unplug(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await this.pty?.close();
    this.pty = undefined;
  }
}
