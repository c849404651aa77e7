/** Configuration: a directory of YAML files, validated into one PlantConfig. */
export { ConfigError, type ConfigIssue, formatIssue, loadConfig, type PlantConfig } from './load.js';
export { registerCount } from './registers.js';
export type * from './schema.js';
