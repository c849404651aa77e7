/**
 * Loading a configuration to run or check: the files, the references between them and each
 * feature module's own section (loadPlantConfig), every problem printed with file and key.
 */
import { resolve } from 'node:path';
import { ConfigError, type PlantConfig } from '../config/index.js';
import { loadPlantConfig } from '../gateway/load-config.js';

/** The configuration, or undefined once every problem in it is printed (file, key, expectation). */
export function loadOrExplain(dir: string): PlantConfig | undefined {
  try {
    return loadPlantConfig(resolve(dir));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}
