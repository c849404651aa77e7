/**
 * A device's points by poll group, as its profile names them: each group is read at its own
 * period (a slow group is not read at every fast cycle). A point with `cov: true` is in its group
 * too: polled at that period while no subscription holds, and its last value published again at
 * that period while one does.
 */
import { PropertyIdentifier } from '@bacnet-js/client';
import type { BacnetPointConfig, BacnetProfile } from '../../config/index.js';
import { pointId } from '../../points/index.js';
import type { BacnetPointRef } from './decode.js';

export interface PlannedPoint {
  id: string;
  config: BacnetPointConfig;
  ref: BacnetPointRef;
  /** "analog-input:1", as the profile names its object. */
  object: string;
  /** Subscribed to: `cov: true` on a present-value (COV notifications carry no other property). */
  cov: boolean;
}

export interface PollGroupPlan {
  name: string;
  periodMs: number;
  points: PlannedPoint[];
}

export const objectKey = (object: { type: number; instance: number }) => `${object.type}:${object.instance}`;

export function plannedPoint(deviceId: string, point: BacnetPointConfig): PlannedPoint {
  const id = pointId(deviceId, point.name);
  return {
    id,
    config: point,
    ref: {
      id,
      object: { type: point.object.type, instance: point.object.instance },
      property: point.property,
    },
    object: point.object.text,
    cov: point.cov && point.property === PropertyIdentifier.PRESENT_VALUE,
  };
}

/** The groups that have points, in the profile's order. */
export function pollGroupsOf(deviceId: string, profile: BacnetProfile): PollGroupPlan[] {
  return Object.entries(profile.pollGroups)
    .map(([name, periodMs]) => ({
      name,
      periodMs,
      points: profile.points.filter((p) => p.poll === name).map((p) => plannedPoint(deviceId, p)),
    }))
    .filter((group) => group.points.length > 0);
}
