/**
 * The gateway's parts as one cleanup stack: as each part starts, its stop is pushed; a
 * failure while starting, or the gateway's stop, unwinds the stack, last started first.
 * A stop that fails is logged and the rest still run: one stuck part must not leave a port
 * bound or a database open behind it.
 */
import type { Logger } from '../log/index.js';

/** The parts the gateway starts, in the order it starts them (it stops them the other way). */
export const GATEWAY_STEPS = [
  'storage',
  'alarms',
  'mqtt',
  'alarm-topics',
  'notifier',
  'notifier-follows-alarms',
  'energy',
  'records',
  'auto-work-orders',
  'alarm-inputs',
  'energy-checks',
  'records-checks',
  'pdf-renderer',
  'monthly-reports',
  'modbus',
  'bacnet',
  'campus-summary',
  'group-view',
  'auth',
  'web',
] as const;
export type GatewayStep = (typeof GATEWAY_STEPS)[number];

/**
 * A test's hold on the steps: called as each step starts and as it stops, and what it throws
 * is that step's failure. Only for steps that no real cause (a port in use, an unwritable
 * file) can make fail; the gateway itself never sets it.
 */
export type StepProbe = (step: GatewayStep, phase: 'start' | 'stop') => void;

export class CleanupStack {
  private readonly stops: { step: GatewayStep; stop: () => unknown }[] = [];

  constructor(
    private readonly log: Logger,
    private readonly probe: StepProbe = () => {},
  ) {}

  /** Starts one part and pushes its stop; a part with nothing to stop passes no `stop`. */
  async start<T>(step: GatewayStep, start: () => T | Promise<T>, stop?: (part: T) => unknown): Promise<T> {
    this.probe(step, 'start');
    const part = await start();
    if (stop)
      this.stops.push({
        step,
        stop: () => {
          this.probe(step, 'stop');
          return stop(part);
        },
      });
    return part;
  }

  /** Stops every started part, last started first; each failure is logged, none skips the rest. */
  async unwind(): Promise<void> {
    for (let entry = this.stops.pop(); entry; entry = this.stops.pop()) {
      try {
        await entry.stop();
      } catch (err) {
        this.log.error({ err, step: entry.step }, `stopping the gateway's ${entry.step} failed`);
      }
    }
  }
}
