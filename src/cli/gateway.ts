/**
 * `plantwatch start`: the gateway on a configuration, until a signal stops it. The demo
 * (simulators/demo.ts) runs the same with a companion: the simulated plant around it.
 */
import type { PlantConfig } from '../config/index.js';
import { type Gateway, startGateway } from '../gateway/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { stopOnSignal } from './common.js';
import { loadOrExplain } from './load.js';

/** What runs beside the gateway: started before it, told once it runs, stopped after it. */
export interface Companion {
  /** The configuration the gateway runs on (the companion may move it, e.g. off a taken port). */
  readonly config: PlantConfig;
  started(gateway: Gateway): void;
  /** Stopped before the gateway: what uses the gateway (the demo's second campus on its broker). */
  stopBeforeGateway?(): Promise<void>;
  stop(): Promise<void>;
}

export type StartCompanion = (config: PlantConfig, log: Logger) => Promise<Companion | undefined>;

/** Exit code 1 when the configuration or the gateway cannot start; 0 once running. */
export async function runGateway(dir: string, startCompanion?: StartCompanion): Promise<number> {
  const loaded = loadOrExplain(dir);
  if (!loaded) return 1;
  const log = createLogger(loaded.gateway.log.level);
  // A stray rejection in a library callback must not take the whole plant's monitoring down.
  process.on('unhandledRejection', (reason) =>
    log.error({ err: reason }, 'unhandled promise rejection (kept running)'),
  );
  let companion: Companion | undefined;
  try {
    companion = await startCompanion?.(loaded, log);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'could not start');
    return 1;
  }
  const config = companion?.config ?? loaded;
  let gateway: Gateway;
  try {
    gateway = await startGateway({ config, log });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'the gateway could not start');
    await companion?.stop();
    return 1;
  }
  companion?.started(gateway);
  stopOnSignal(log, async () => {
    await companion?.stopBeforeGateway?.();
    await gateway.stop();
    await companion?.stop();
  });
  return 0;
}
