/**
 * Modbus acquisition: one ModbusLine per serial port / gateway socket (lines run in
 * parallel), one DevicePoller per device, all publishing onto the point bus.
 */
import type { Logger } from 'pino';
import type { PlantConfig } from '../../config/index.js';
import type { ModbusDeviceConfig, ModbusLineConfig } from '../../config/schema.js';
import type { PointBus } from '../../points/index.js';
import { DevicePoller, type DeviceSnapshot } from './device-poller.js';
import { type LineSnapshot, ModbusLine } from './line.js';

export { DevicePoller, type DeviceSnapshot } from './device-poller.js';
export { type LineSnapshot, ModbusLine } from './line.js';
export { planBlocks, type ReadBlock, splitBlock } from './plan.js';

export interface ModbusService {
  lines(): LineSnapshot[];
  devices(): DeviceSnapshot[];
  stop(): Promise<void>;
}

export interface ModbusServiceOptions {
  config: PlantConfig;
  bus: PointBus;
  log: Logger;
  now?: () => number;
}

/** At most this many line offsets in a poll slot: see pollPhase. */
const LINE_INSTANTS = 10;

/**
 * Where in each poll period a device on `line` asks, as a fraction of the period. One at a
 * time, the devices are spread evenly, so the line is never asked everything at once. A
 * pipelining TCP line takes `maxInFlight` requests together: its devices go in groups of
 * that size (one write each), the groups spread over the period, and the lines offset
 * from one another so that a plant of many gateways does not ask them all at the same instant.
 *
 * The lines' offsets are at most LINE_INSTANTS, the lines dealt evenly over them: lines
 * sharing an instant are asked in one timer callback and mostly answer in one wake-up of
 * the event loop. Waking is what costs at that rate: 50 gateways on 50 instants a second took
 * 1.7 times the CPU of the same 50 on 10 (bench/README.md, large plant), for a burst of a
 * few milliseconds more at each instant.
 */
export function pollPhase(
  line: ModbusLineConfig,
  lineIndex: number,
  lineCount: number,
  device: number,
  devices: number,
): number {
  if (line.transport !== 'tcp' || line.maxInFlight <= 1) return device / devices;
  const groups = Math.ceil(devices / line.maxInFlight);
  const instants = Math.min(lineCount, LINE_INSTANTS);
  const lineOffset = Math.floor((lineIndex * instants) / lineCount) / instants;
  return (Math.floor(device / line.maxInFlight) + lineOffset) / groups;
}

export function startModbus({ config, bus, log, now }: ModbusServiceOptions): ModbusService {
  const modbusDevices = config.devices.filter((d): d is ModbusDeviceConfig => d.enabled && 'modbus' in d);
  const lines = new Map<string, ModbusLine>();
  const pollers: DevicePoller[] = [];
  // One origin for every poller: devices with the same phase are then due at the same instant.
  const origin = (now ?? Date.now)();
  config.lines.forEach((lineConfig, lineIndex) => {
    const onLine = modbusDevices.filter((d) => d.modbus.line === lineConfig.id);
    if (onLine.length === 0) return; // an unused line is not opened: it may be another gateway's port
    const line = new ModbusLine(lineConfig, log, now);
    lines.set(lineConfig.id, line);
    onLine.forEach((device, index) => {
      const profile = config.profiles.get(device.profile);
      if (profile?.protocol !== 'modbus') return;
      const poller = new DevicePoller({
        device,
        profile,
        line,
        bus,
        log,
        staleAfterPeriods: config.gateway.staleAfterPeriods,
        now,
      });
      pollers.push(poller);
      poller.start(pollPhase(lineConfig, lineIndex, config.lines.length, index, onLine.length), origin);
    });
    line.start();
  });
  return {
    lines: () => [...lines.values()].map((l) => l.snapshot()),
    devices: () => pollers.map((p) => p.snapshot()),
    async stop() {
      for (const poller of pollers) poller.stop();
      await Promise.all([...lines.values()].map((l) => l.stop()));
    },
  };
}
