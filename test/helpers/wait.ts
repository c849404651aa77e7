/** Waiting in tests: always bounded, always saying what was awaited when it times out. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll `probe` (sync or async) until it returns something truthy, or fail after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result) return result;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Whether `promise` settles (either way) before a timer of `ms` armed now fires. For an outcome
 * a timer of the code under test brings about (a request's timeout): an order of events, not a
 * duration, since timers fire in the order they fall due however loaded the machine, where
 * `elapsed < ms` would flake. (Not for an answer over a socket: a late loop runs due timers first.)
 */
export async function settlesBefore(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, fired]);
  } finally {
    clearTimeout(timer);
  }
}
