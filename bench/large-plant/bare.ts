/**
 * The floor, for scale: the least a Node.js process can do for the same polling. Raw
 * `net` sockets, one per simulated gateway, one request outstanding per socket (as on a
 * Modbus line), every device asked once a second on its own timer with the same stagger
 * as Plantwatch's; a response is checked (transaction id, length) and its 20 registers
 * counted, not decoded. No retries, no statistics, no points. Same IPC as gateway.ts:
 *   argv[2]: JSON { ports }
 *   → { type: 'ready' }   ← { type: 'window-start' }   ← { type: 'window-end' } → { type: 'result', … }
 */
import { connect, type Socket } from 'node:net';
import { GATEWAYS, POLL_MS, REGISTERS, UNITS } from './plant.js';

export interface BareResult {
  type: 'result';
  windowMs: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssMaxBytes: number;
  registers: number;
  requests: number;
}

const { ports } = JSON.parse(process.argv[2] ?? '{}') as { ports: number[] };

let counting = false;
let registers = 0;
let requests = 0;

class Gateway {
  private readonly socket: Socket;
  private readonly queue: number[] = [];
  private busy = false;
  private transaction = 0;
  private pending: Buffer = Buffer.alloc(0);
  connected: Promise<void>;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', () => {});
  }

  ask(unit: number): void {
    this.queue.push(unit);
    if (!this.busy) this.next();
  }

  private next(): void {
    const unit = this.queue.shift();
    if (unit === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.transaction = (this.transaction + 1) & 0xffff;
    const frame = Buffer.allocUnsafe(12);
    frame.writeUInt16BE(this.transaction, 0);
    frame.writeUInt16BE(0, 2);
    frame.writeUInt16BE(6, 4);
    frame.writeUInt8(unit, 6);
    frame.writeUInt8(3, 7);
    frame.writeUInt16BE(0, 8);
    frame.writeUInt16BE(REGISTERS, 10);
    if (counting) requests++;
    this.socket.write(frame);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 6) {
      const length = 6 + this.pending.readUInt16BE(4);
      if (this.pending.length < length) return;
      const frame = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      if (
        frame.readUInt16BE(0) === this.transaction &&
        frame[7] === 3 &&
        frame[8] === REGISTERS * 2 &&
        counting
      )
        registers += REGISTERS;
      this.next();
    }
  }
}

const gateways = ports.map((port) => new Gateway(port));
await Promise.all(gateways.map((g) => g.connected));
const origin = Date.now();
for (let g = 0; g < GATEWAYS; g++)
  for (let u = 0; u < UNITS; u++) {
    const gateway = gateways[g] as Gateway;
    let due = origin + (u / UNITS) * POLL_MS;
    const tick = () => {
      gateway.ask(u + 1);
      due += POLL_MS;
      setTimeout(tick, Math.max(0, due - Date.now()));
    };
    setTimeout(tick, Math.max(0, due - Date.now()));
  }

let cpuAtStart = process.cpuUsage();
let windowStart = 0;
let rssMax = 0;
let rssTimer: NodeJS.Timeout | undefined;
const sampleRss = () => {
  rssMax = Math.max(rssMax, process.memoryUsage.rss());
};
process.on('message', (message: { type: string }) => {
  if (message.type === 'window-start') {
    counting = true;
    windowStart = Date.now();
    cpuAtStart = process.cpuUsage();
    sampleRss();
    rssTimer = setInterval(sampleRss, 1000);
  } else if (message.type === 'window-end') {
    const cpu = process.cpuUsage(cpuAtStart);
    counting = false;
    sampleRss();
    clearInterval(rssTimer);
    const result: BareResult = {
      type: 'result',
      windowMs: Date.now() - windowStart,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssMaxBytes: rssMax,
      registers,
      requests,
    };
    process.send?.(result);
  } else if (message.type === 'stop') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
