// The plant as the dashboard sees it: sites → buildings → rooms → devices, built from the
// point catalog, plus room kinds, statuses, alarm counts and the alarm that matters most.
import { PRIORITIES, priorityRank } from '../../src/vocabulary/alarms.js';
import { localName } from './i18n.js';
import { type Alarm, type PointInfo, type Priority, type Reading, state } from './live.js';

export { PRIORITIES };

const ACTIVE = new Set(['active-unacknowledged', 'active-acknowledged', 'returned-unacknowledged']);
const UNACKNOWLEDGED = new Set(['active-unacknowledged', 'returned-unacknowledged']);

export const isActive = (alarm: Alarm): boolean => ACTIVE.has(alarm.state);
/** Waiting for someone to acknowledge it: active, or returned to normal unseen. */
export const isUnacknowledged = (alarm: Alarm): boolean => UNACKNOWLEDGED.has(alarm.state);

const started = (a: Alarm) => a.activeSince ?? a.since;

/** Active alarms, most urgent first, then newest first. */
export function activeAlarms(): Alarm[] {
  return [...state.alarms.values()]
    .filter(isActive)
    .sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || started(b) - started(a));
}

export type Counts = Record<Priority, number>;

export function countByPriority(alarms: readonly Alarm[]): Counts {
  const counts: Counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const a of alarms) counts[a.priority] += 1;
  return counts;
}

/**
 * The alarm a room (or the plant) is shown by: the most urgent unacknowledged one, else the most
 * urgent acknowledged one; newest first within a priority (the list is sorted that way).
 */
export function leadingAlarm(alarms: readonly Alarm[]): Alarm | undefined {
  return alarms.find(isUnacknowledged) ?? alarms[0];
}

/** An alarm's text in the page's language. */
export const alarmText = (a: Pick<Alarm, 'message' | 'messageZh'>): string =>
  localName(a.message, a.messageZh);

/** Where an alarm is: its device's name, else its room's. */
export const alarmPlace = (a: Alarm): string =>
  a.device
    ? localName(a.deviceName ?? a.device, a.deviceNameZh)
    : localName(a.roomName ?? a.room, a.roomNameZh);

export interface Device {
  id: string;
  name: string;
  equipment: string;
  room: string;
  points: Map<string, PointInfo>;
}

export interface Room {
  key: string;
  site: string;
  building: string;
  id: string;
  kind: string;
  devices: Device[];
}

export interface SiteTree {
  site: string;
  buildings: { id: string; rooms: Room[] }[];
}

export function plantTree(): SiteTree[] {
  const rooms = new Map<string, Room>();
  const devices = new Map<string, Device>();
  for (const info of state.catalog.values()) {
    const key = roomKey(info.site, info.building, info.room);
    let room = rooms.get(key);
    if (!room) {
      room = { key, site: info.site, building: info.building, id: info.room, kind: 'other', devices: [] };
      rooms.set(key, room);
    }
    let device = devices.get(info.device);
    if (!device) {
      device = {
        id: info.device,
        name: localName(info.deviceName, info.deviceNameZh),
        equipment: info.equipment,
        room: key,
        points: new Map(),
      };
      devices.set(info.device, device);
      room.devices.push(device);
    }
    device.points.set(info.name, info);
  }
  for (const room of rooms.values()) room.kind = roomKind(room);
  const sites = new Map<string, Map<string, Room[]>>();
  for (const room of rooms.values()) {
    const buildings = sites.get(room.site) ?? new Map<string, Room[]>();
    sites.set(room.site, buildings);
    const list = buildings.get(room.building) ?? [];
    buildings.set(room.building, list);
    list.push(room);
  }
  return [...sites].map(([site, buildings]) => ({
    site,
    buildings: [...buildings].map(([id, rooms]) => ({ id, rooms })),
  }));
}

export const roomKey = (site: string, building: string, room: string): string =>
  `${site}/${building}/${room}`;

export function findRoom(key: string): Room | undefined {
  for (const site of plantTree())
    for (const b of site.buildings) for (const r of b.rooms) if (r.key === key) return r;
  return undefined;
}

export function findDevice(id: string): { room: Room; device: Device } | undefined {
  for (const site of plantTree())
    for (const b of site.buildings)
      for (const r of b.rooms) for (const d of r.devices) if (d.id === id) return { room: r, device: d };
  return undefined;
}

/** The room's kind from site.yaml; guessed from its equipment when the catalog has none. */
function roomKind(room: Room): string {
  const declared = room.devices[0]?.points.values().next().value?.roomKind;
  if (declared && declared !== 'other') return declared;
  const kinds = new Set(room.devices.map((d) => d.equipment));
  if (kinds.has('power-meter')) return 'distribution-room';
  if (kinds.has('chiller')) return 'chiller-plant';
  if (kinds.has('oxygen-station')) return 'oxygen-station';
  if (kinds.has('pump')) return 'pump-room';
  if (kinds.has('water-meter')) return 'water-meter-point';
  return 'other';
}

/** Display names (in the page's language) from the point catalog (site.yaml), or from the alarms; ids otherwise. */
export function names(): { rooms: Map<string, string>; buildings: Map<string, string> } {
  const rooms = new Map<string, string>();
  const buildings = new Map<string, string>();
  const places: {
    site: string;
    building: string;
    room: string;
    roomName?: string | undefined;
    roomNameZh?: string | undefined;
    buildingName?: string | undefined;
    buildingNameZh?: string | undefined;
  }[] = [...state.catalog.values(), ...state.alarms.values()];
  for (const p of places) {
    const key = roomKey(p.site, p.building, p.room);
    if (p.roomName && !rooms.has(key)) rooms.set(key, localName(p.roomName, p.roomNameZh));
    if (p.buildingName && !buildings.has(p.building))
      buildings.set(p.building, localName(p.buildingName, p.buildingNameZh));
  }
  return { rooms, buildings };
}

export const reading = (deviceId: string, point: string): Reading | undefined =>
  state.values.get(`${deviceId}.${point}`);

export type RoomStatus = 'running' | 'stopped' | 'alarm' | 'comm' | 'nodata';

/** running / stopped / alarm / comm (comm loss or stale) / nodata. */
export function roomStatus(room: Room): RoomStatus {
  if (roomAlarms(room).length) return 'alarm';
  let bad = 0;
  let seen = 0;
  for (const d of room.devices)
    for (const info of d.points.values()) {
      const v = state.values.get(info.id);
      if (!v || v.quality === 'no-data') continue;
      seen += 1;
      if (v.quality !== 'good') bad += 1;
    }
  if (seen === 0) return 'nodata';
  if (bad > 0) return 'comm';
  const runnable = room.devices.filter((d) => d.points.has('running'));
  if (runnable.length && runnable.every((d) => reading(d.id, 'running')?.value === false)) return 'stopped';
  const incomers = room.devices.filter((d) => /incomer/.test(d.id) && d.points.has('breaker_closed'));
  if (incomers.length && incomers.every((d) => reading(d.id, 'breaker_closed')?.value === false))
    return 'stopped';
  return 'running';
}

export const roomAlarms = (room: Room): Alarm[] =>
  activeAlarms().filter((a) => roomKey(a.site, a.building, a.room) === room.key);

/** Sum of good values of one point over devices; null when none is good. */
export function sum(devices: readonly Device[], point: string): number | null {
  let total = 0;
  let n = 0;
  for (const d of devices) {
    const v = reading(d.id, point);
    if (v?.quality === 'good' && typeof v.value === 'number') {
      total += v.value;
      n += 1;
    }
  }
  return n ? total : null;
}

/** Mean of good values of one point over devices; null when none is good. */
export function mean(devices: readonly Device[], point: string): number | null {
  const n = devices.filter((d) => reading(d.id, point)?.quality === 'good').length;
  const total = sum(devices, point);
  return total === null || n === 0 ? null : total / n;
}
