import { PointBus, type PointValue } from '../../src/points/index.js';

/** A bus whose every value is kept: the latest per point, and the whole history in order. */
export function recordingBus() {
  const bus = new PointBus();
  const latest = new Map<string, PointValue>();
  const history: PointValue[] = [];
  bus.subscribe((values) => {
    for (const v of values) {
      latest.set(v.id, v);
      history.push(v);
    }
  });
  return { bus, latest, history };
}
