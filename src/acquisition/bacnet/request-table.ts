/**
 * The requests a BACnet client awaits, by invoke id, in place of @bacnet-js/client 3.3's own
 * RequestManager. That one keeps every request, answered or not, in a list until a sweep after
 * its timeout, and the sweep deletes the awaited request *by invoke id*: a request that reuses
 * the id of one answered less than `apduTimeout` before is deleted with it when the sweep comes
 * while it is out, its answer is then dropped ("InvokeId not found") and its promise never
 * settles. A busy port (a hundred requests a second) reuses ids within seconds. Here each request
 * has its own timer, and an answered one is gone at once.
 */
interface Awaited {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The library's RequestManager interface: what its client calls. */
export class RequestTable {
  private readonly pending = new Map<number, Awaited>();

  constructor(private readonly timeoutMs: number) {}

  add(invokeId: number): Promise<unknown> {
    // An id sent again while awaited: the older request can no longer be told apart.
    this.settle(invokeId, new Error('ERR_TIMEOUT'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.get(invokeId)?.timer === timer) this.settle(invokeId, new Error('ERR_TIMEOUT'));
      }, this.timeoutMs);
      this.pending.set(invokeId, { resolve, reject, timer });
    });
  }

  resolve(invokeId: number, err: Error | null, result?: unknown): boolean {
    return this.settle(invokeId, err ?? undefined, result);
  }

  /** On close (`force`): every request awaited ends with ERR_TIMEOUT, as the library's did. */
  clear(force?: boolean): void {
    if (!force) return;
    for (const invokeId of [...this.pending.keys()]) this.settle(invokeId, new Error('ERR_TIMEOUT'));
  }

  private settle(invokeId: number, err: Error | undefined, result?: unknown): boolean {
    const request = this.pending.get(invokeId);
    if (!request) return false;
    this.pending.delete(invokeId);
    clearTimeout(request.timer);
    if (err) request.reject(err);
    else request.resolve(result);
    return true;
  }
}

/**
 * Puts a RequestTable in the client's place of its RequestManager (a private field, read by
 * name: checked, and left as it is if a version of the library has none of that shape).
 */
export function installRequestTable(client: object, timeoutMs: number): boolean {
  const internals = client as unknown as {
    _requestManager?: { add?: unknown; resolve?: unknown; clear?: unknown };
  };
  const current = internals._requestManager;
  if (
    typeof current?.add !== 'function' ||
    typeof current.resolve !== 'function' ||
    typeof current.clear !== 'function'
  )
    return false;
  internals._requestManager = new RequestTable(timeoutMs);
  return true;
}
