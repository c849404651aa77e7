/**
 * The confirmed requests of one BACnet/IP port, bounded in flight. One socket serves every
 * device of the port, and @bacnet-js/client matches an answer to its request by invoke id alone
 * (0–255 for the whole socket, not per peer): this queue hands out the invoke ids itself, never
 * one still awaited, and lets at most `concurrency` requests be outstanding, so a site of hundreds
 * of devices neither floods its network nor reuses an id. Within that bound:
 *
 * - probes of unreachable devices take at most half the slots: the dead cannot hold up the live;
 * - one request at a time may get a segmented answer, because the library reassembles segments
 *   in one store per socket (two interleaved segmented answers would be mixed);
 * - each request has its own timeout (a device's `timeout`), rejected with "ERR_TIMEOUT" as the
 *   library rejects its own; the id stays reserved until the library gives up on it too, and a
 *   while after (an answer that comes late must not be taken for the next request's).
 */

/** Ids 1–255: the library takes an invoke id of 0 as "none given" and picks its own. */
const INVOKE_IDS = 255;

export interface RequestFlags {
  /** Its answer may come in segments. */
  segmented?: boolean;
  /** A probe of a device that is not answering. */
  probe?: boolean;
  timeoutMs: number;
}

interface Pending {
  task: (invokeId: number) => Promise<unknown>;
  flags: RequestFlags;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class QueueClosedError extends Error {
  constructor() {
    super('BACnet/IP port closed');
    this.name = 'QueueClosedError';
  }
}

export class RequestQueue {
  private readonly pending: Pending[] = [];
  private readonly idsInUse = new Set<number>();
  private nextId = 1;
  private running = 0;
  private probes = 0;
  private segmented = 0;
  private closed = false;
  /** The most requests outstanding at once since the start. */
  peakInFlight = 0;

  constructor(readonly concurrency: number) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Runs `task` with an invoke id of its own once a slot is free; its result, or ERR_TIMEOUT. */
  run<T>(task: (invokeId: number) => Promise<T>, flags: RequestFlags): Promise<T> {
    if (this.closed) return Promise.reject(new QueueClosedError());
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ task, flags, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  /** Rejects what waits; what is in flight ends with the socket. */
  close(): void {
    this.closed = true;
    for (const request of this.pending.splice(0)) request.reject(new QueueClosedError());
  }

  private runnable(flags: RequestFlags): boolean {
    if (flags.probe && this.probes >= Math.max(1, Math.floor(this.concurrency / 2))) return false;
    if (flags.segmented && this.segmented >= 1) return false;
    return true;
  }

  private pump(): void {
    for (let i = 0; i < this.pending.length && this.running < this.concurrency; ) {
      const request = this.pending[i] as Pending;
      const invokeId = this.runnable(request.flags) ? this.freeId() : undefined;
      if (invokeId === undefined) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      this.start(request, invokeId);
    }
  }

  private freeId(): number | undefined {
    for (let n = 0; n < INVOKE_IDS; n++) {
      const id = ((this.nextId - 1 + n) % INVOKE_IDS) + 1;
      if (!this.idsInUse.has(id)) {
        this.nextId = (id % INVOKE_IDS) + 1;
        return id;
      }
    }
    return undefined;
  }

  private start(request: Pending, invokeId: number): void {
    const { flags } = request;
    this.idsInUse.add(invokeId);
    this.running++;
    this.peakInFlight = Math.max(this.peakInFlight, this.running);
    if (flags.probe) this.probes++;
    if (flags.segmented) this.segmented++;
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.running--;
      if (flags.probe) this.probes--;
      settle();
      this.pump();
    };
    const timer = setTimeout(() => finish(() => request.reject(new Error('ERR_TIMEOUT'))), flags.timeoutMs);
    let sent: Promise<unknown>;
    try {
      sent = request.task(invokeId);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (value) => finish(() => request.resolve(value)),
      (err: unknown) => finish(() => request.reject(err instanceof Error ? err : new Error(String(err)))),
    );
    // The id is the library's until it settles the request (answer, its own timeout, or close),
    // and so is its segment store, while a segmented answer may still be arriving. An id whose
    // request got no answer rests a while more: a late answer must not be taken for another's.
    void sent.then(
      () => this.release(invokeId, flags, 0),
      (err: unknown) =>
        this.release(
          invokeId,
          flags,
          err instanceof Error && err.message === 'ERR_TIMEOUT' ? flags.timeoutMs : 0,
        ),
    );
  }

  private release(invokeId: number, flags: RequestFlags, restMs: number): void {
    if (flags.segmented) this.segmented--;
    const free = () => {
      this.idsInUse.delete(invokeId);
      this.pump();
    };
    if (restMs > 0 && !this.closed) setTimeout(free, restMs).unref();
    else free();
  }
}
