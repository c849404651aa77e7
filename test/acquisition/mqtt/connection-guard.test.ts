/**
 * The broker's connection guard reads each packet's size from its fixed header as bytes stream
 * in, however TCP cuts them: the sizes must come out right with the remaining length split across
 * chunks, at each of its 1-to-4-byte boundaries, and a length MQTT forbids must be caught.
 * (The guard on a real gateway under a flood: test/security/mqtt-flood.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { FixedHeaderReader } from '../../../src/acquisition/mqtt/connection-guard.js';

/** A packet of type byte `type` with `body` bytes, its remaining length encoded as MQTT does. */
function packet(type: number, body: number): Buffer {
  const length: number[] = [];
  let rest = body;
  do {
    length.push((rest % 128) | (rest >= 128 ? 0x80 : 0));
    rest = Math.floor(rest / 128);
  } while (rest > 0);
  return Buffer.concat([Buffer.from([type, ...length]), Buffer.alloc(body, 0x5a)]);
}

/** The sizes the reader reports for `stream` fed in the given pieces. */
function sizes(stream: Buffer, cuts: number[]): number[] {
  const reader = new FixedHeaderReader();
  const seen: number[] = [];
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    reader.feed(stream.subarray(from, to), (size) => seen.push(size) > 0);
    from = to;
  }
  return seen;
}

describe('FixedHeaderReader', () => {
  // Bodies whose remaining length takes 1, 2 and 3 bytes, on both sides of each boundary.
  const bodies = [0, 2, 127, 128, 16_383, 16_384];
  const stream = Buffer.concat(bodies.map((body, i) => packet(i % 2 === 0 ? 0x30 : 0x82, body)));
  const expected = bodies.map((body) => body + 1 + (body < 128 ? 1 : body < 16_384 ? 2 : 3));

  it('reports every packet of a stream cut at any one place', () => {
    for (let cut = 0; cut <= stream.length; cut++)
      expect(sizes(stream, [cut]), `cut at ${cut}`).toEqual(expected);
  });

  it('reports every packet of a stream fed one byte at a time', () => {
    expect(
      sizes(
        stream,
        Array.from({ length: stream.length }, (_, i) => i),
      ),
    ).toEqual(expected);
  });

  it("reports a packet's declared size from its header alone, before any of its body", () => {
    const header = packet(0x10, 100_000_000).subarray(0, 5);
    expect(sizes(header, [1, 3])).toEqual([100_000_005]);
  });

  it('reports a remaining length longer than 4 bytes as infinite, and stops when told', () => {
    const malformed = Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]);
    expect(sizes(malformed, [2])).toEqual([Number.POSITIVE_INFINITY]);
    const reader = new FixedHeaderReader();
    const seen: number[] = [];
    const twoPackets = Buffer.concat([packet(0x30, 1), packet(0x30, 1)]);
    expect(reader.feed(twoPackets, (size) => seen.push(size) === 0)).toBe(false);
    expect(seen).toEqual([3]);
  });
});
