/**
 * good: read now and plausible; stale: not refreshed for longer than expected;
 * comm-error: the last read failed (value is null: never a substitute such as 0);
 * out-of-range: read, but outside the point's valid range, or a counter below zero (a sensor
 * fault, not plant state); bad-timestamp: the device stamped its reading further ahead of the
 * gateway's clock than allowed (refused: value null, at its arrival time).
 * New qualities go at the end: SQLite stores a quality as its index here.
 */
export const QUALITIES = ['good', 'stale', 'comm-error', 'out-of-range', 'bad-timestamp'] as const;
export type Quality = (typeof QUALITIES)[number];

export type Value = number | boolean | null;

export interface PointValue {
  /** "<device>.<point>" */
  id: string;
  value: Value;
  quality: Quality;
  /** Epoch milliseconds of the reading (source time where the source gives one). */
  ts: number;
}

/** Static description of a point, from the config. */
export interface PointInfo {
  id: string;
  device: string;
  deviceName: string;
  name: string;
  label: string;
  /** Chinese variants of the configured names, when given (config/README.md). */
  deviceNameZh?: string;
  labelZh?: string;
  unit: string;
  site: string;
  building: string;
  room: string;
  /** Display names and the room's kind from site.yaml, for the dashboard and reports. */
  buildingName?: string;
  roomName?: string;
  buildingNameZh?: string;
  roomNameZh?: string;
  roomKind?: string;
  profile: string;
  equipment: string;
  counter: boolean;
  kind: 'analog' | 'state';
  range?: [number, number];
  /** Computed by the gateway (leak detection, maintenance), not read from the device. */
  derived?: boolean;
  /** How often the gateway reads it (its Modbus poll group's period); absent for pushed values. */
  periodMs?: number;
}
