/**
 * A port's request queue on its own (the requests are promises the test settles): the bound on
 * requests in flight, the share probes of dead devices may take, one segmented answer at a time,
 * invoke ids never shared by two requests out at once, and each request's own timeout.
 */
import { describe, expect, it } from 'vitest';
import { RequestQueue } from '../../../src/acquisition/bacnet/index.js';

/** A request the test answers: its invoke id, and its settle functions. */
function controlled() {
  const started: { invokeId: number; answer: () => void; fail: (err: Error) => void }[] = [];
  const task = (invokeId: number) =>
    new Promise<number>((resolve, reject) => {
      started.push({ invokeId, answer: () => resolve(invokeId), fail: reject });
    });
  return { started, task };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('BACnet request queue', () => {
  it('keeps no more than its concurrency in flight, and starts the next as one ends', async () => {
    const queue = new RequestQueue(3);
    const { started, task } = controlled();
    const results = Array.from({ length: 7 }, () => queue.run(task, { timeoutMs: 10_000 }));
    await tick();
    expect(started).toHaveLength(3);
    expect(queue.queued).toBe(4);
    started[0]?.answer();
    await tick();
    expect(started).toHaveLength(4);
    for (let i = 1; i < 7; i++) {
      started[i]?.answer();
      await tick();
    }
    expect(await Promise.all(results)).toEqual(started.map((s) => s.invokeId));
    expect(queue.peakInFlight).toBe(3);
  });

  it('gives probes of dead devices at most half the slots, and the live their turn meanwhile', async () => {
    const queue = new RequestQueue(4);
    const { started, task } = controlled();
    for (let i = 0; i < 5; i++) void queue.run(task, { probe: true, timeoutMs: 10_000 });
    void queue.run(task, { timeoutMs: 10_000 });
    void queue.run(task, { timeoutMs: 10_000 });
    await tick();
    expect(started).toHaveLength(4); // two probes, and the two live requests behind the other probes
    expect(queue.queued).toBe(3);
  });

  it('lets one request with a segmented answer out at a time', async () => {
    const queue = new RequestQueue(8);
    const { started, task } = controlled();
    void queue.run(task, { segmented: true, timeoutMs: 10_000 });
    void queue.run(task, { segmented: true, timeoutMs: 10_000 });
    void queue.run(task, { timeoutMs: 10_000 });
    await tick();
    expect(started).toHaveLength(2);
    started[0]?.answer();
    await tick();
    await tick();
    expect(started).toHaveLength(3);
  });

  it('never gives two requests out at once the same invoke id, nor 0', async () => {
    const queue = new RequestQueue(300);
    const { started, task } = controlled();
    for (let i = 0; i < 300; i++) void queue.run(task, { timeoutMs: 10_000 });
    await tick();
    // 255 ids (1–255): the rest wait for one to be free.
    expect(started).toHaveLength(255);
    expect(new Set(started.map((s) => s.invokeId)).size).toBe(255);
    expect(started.some((s) => s.invokeId === 0)).toBe(false);
    started[10]?.answer();
    await tick();
    await tick();
    expect(started).toHaveLength(256);
    expect(started[255]?.invokeId).toBe(started[10]?.invokeId);
  });

  it('times a request out on its own, freeing its slot but not its invoke id until the library gives up', async () => {
    const queue = new RequestQueue(1);
    const { started, task } = controlled();
    const first = queue.run(task, { timeoutMs: 50 });
    const second = queue.run(task, { timeoutMs: 10_000 });
    await expect(first).rejects.toThrow('ERR_TIMEOUT');
    await tick();
    expect(started).toHaveLength(2);
    expect(started[1]?.invokeId).not.toBe(started[0]?.invokeId);
    started[1]?.answer();
    await expect(second).resolves.toBe(started[1]?.invokeId);
    queue.close();
    await expect(queue.run(task, { timeoutMs: 10 })).rejects.toThrow('closed');
  });
});
