/**
 * What every `plantwatch` command shares, the demo's included: the default configuration
 * directory and an orderly stop on a signal. Light on purpose: `plantwatch-demo fault` loads it.
 */
import type { Logger } from '../log/index.js';

export const DEFAULT_CONFIG = process.env.PLANTWATCH_CONFIG ?? 'config';

export function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

/**
 * Stop everything once on SIGINT/SIGTERM, then exit. The handlers stay installed while
 * stopping: a signal often comes twice (Ctrl-C reaches both npm and node, and npm forwards
 * it; systemd signals the whole control group), and without a handler the second one would
 * kill the process mid-flush, losing the values still batched in memory.
 */
export function stopOnSignal(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      log.info({ signal }, 'already shutting down: flushing what is buffered first');
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop()
      .catch((err: unknown) => log.error({ err }, 'error during shutdown'))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** A service that failed to start exits at once, whatever handles half-started parts left open. */
export function exitOnFailure(code: number): void {
  if (code !== 0) process.exit(code);
}

/** Stops the scan on the first Ctrl-C (what was found is kept); a second one ends the process. */
export function stopOnInterrupt(controller: AbortController): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping the scan (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  return () => process.off('SIGINT', onSignal);
}
