// The plant as the dashboard sees it: sites → buildings → rooms → devices, built from the
// point catalog, plus room kinds, statuses and alarm counts.
import { state } from './live.js';

export const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const ACTIVE = new Set(['active-unacknowledged', 'active-acknowledged', 'returned-unacknowledged']);

/** @param {any} alarm */
export const isActive = (alarm) => ACTIVE.has(alarm.state);

/** Active alarms, most urgent first, then newest first. */
export function activeAlarms() {
  return [...state.alarms.values()]
    .filter(isActive)
    .sort(
      (a, b) =>
        PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) ||
        (b.activeSince ?? b.since) - (a.activeSince ?? a.since),
    );
}

/** @param {any[]} alarms @returns {Record<string, number>} */
export function countByPriority(alarms) {
  const counts = Object.fromEntries(PRIORITIES.map((p) => [p, 0]));
  for (const a of alarms) counts[a.priority] += 1;
  return counts;
}

/**
 * @typedef {{ id: string, name: string, equipment: string, room: string, points: Map<string, import('./live.js').PointInfo> }} Device
 * @typedef {{ key: string, site: string, building: string, id: string, kind: string, devices: Device[] }} Room
 */

/** @returns {{ site: string, buildings: { id: string, rooms: Room[] }[] }[]} */
export function plantTree() {
  /** @type {Map<string, Room>} */
  const rooms = new Map();
  /** @type {Map<string, Device>} */
  const devices = new Map();
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
        name: info.deviceName,
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
  /** @type {Map<string, Map<string, Room[]>>} */
  const sites = new Map();
  for (const room of rooms.values()) {
    const buildings = sites.get(room.site) ?? new Map();
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

/** @param {string} site @param {string} building @param {string} room */
export const roomKey = (site, building, room) => `${site}/${building}/${room}`;

/** @param {string} key */
export function findRoom(key) {
  for (const site of plantTree())
    for (const b of site.buildings) for (const r of b.rooms) if (r.key === key) return r;
  return undefined;
}

/** @param {string} id */
export function findDevice(id) {
  for (const site of plantTree())
    for (const b of site.buildings)
      for (const r of b.rooms) for (const d of r.devices) if (d.id === id) return { room: r, device: d };
  return undefined;
}

/** The room's kind from site.yaml; guessed from its equipment when the catalog has none. @param {Room} room */
function roomKind(room) {
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

/** Display names from the point catalog (site.yaml), or from the alarms; ids otherwise. */
export function names() {
  /** @type {Map<string, string>} */
  const rooms = new Map();
  /** @type {Map<string, string>} */
  const buildings = new Map();
  for (const info of state.catalog.values()) {
    if (info.roomName) rooms.set(roomKey(info.site, info.building, info.room), info.roomName);
    if (info.buildingName) buildings.set(info.building, info.buildingName);
  }
  for (const a of state.alarms.values()) {
    if (a.roomName) rooms.set(roomKey(a.site, a.building, a.room), a.roomName);
    if (a.buildingName) buildings.set(a.building, a.buildingName);
  }
  return { rooms, buildings };
}

/** @param {string} deviceId @param {string} point */
export const reading = (deviceId, point) => state.values.get(`${deviceId}.${point}`);

/**
 * running / stopped / alarm / comm (comm loss or stale) / nodata.
 * @param {Room} room
 */
export function roomStatus(room) {
  const alarms = activeAlarms().filter((a) => roomKey(a.site, a.building, a.room) === room.key);
  if (alarms.length) return 'alarm';
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

/** @param {Room} room */
export const roomAlarms = (room) =>
  activeAlarms().filter((a) => roomKey(a.site, a.building, a.room) === room.key);

/** Sum of good values of one point over devices; null when none is good. @param {Device[]} devices @param {string} point */
export function sum(devices, point) {
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

/** Mean of good values of one point over devices; null when none is good. @param {Device[]} devices @param {string} point */
export function mean(devices, point) {
  const n = devices.filter((d) => reading(d.id, point)?.quality === 'good').length;
  const total = sum(devices, point);
  return total === null || n === 0 ? null : total / n;
}
