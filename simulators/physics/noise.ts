/** Deterministic noise per device (mulberry32 seeded by the device id): values move, runs repeat. */
export type Noise = (amplitude: number) => number;

export function seededNoise(seed: string): Noise {
  let state = 0;
  for (const ch of seed) state = (Math.imul(state, 31) + ch.charCodeAt(0)) | 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (amplitude) => (next() * 2 - 1) * amplitude;
}
