/**
 * The demo's back-fill in a process of its own, so that backfill.test.ts can kill it half-way
 * as Ctrl-C or a timeout would. No vitest import. Arguments: config dir, store path, the
 * history's end (epoch ms), days, step (ms).
 */
import { resolve } from 'node:path';
import { backfillDemoHistory } from '../../simulators/backfill.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';

const [dir = 'config', storePath = '', now = '0', days = '1', stepMs = '900000'] = process.argv.slice(2);
const config = loadConfig(resolve(dir));
config.gateway.storage = {
  ...config.gateway.storage,
  backend: 'sqlite',
  sqlite: { ...config.gateway.storage.sqlite, path: storePath },
};
await backfillDemoHistory(config, silentLogger(), {
  now: Number(now),
  days: Number(days),
  stepMs: Number(stepMs),
});
