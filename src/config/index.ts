/** Configuration: a directory of YAML files, validated into one PlantConfig. */
export {
  ConfigError,
  type ConfigIssue,
  formatIssue,
  type LoadOptions,
  loadConfig,
  type PlantConfig,
  type SectionCheck,
  type SectionProblem,
} from './load.js';
export { ownSite } from './places.js';
export { registerCount } from './registers.js';
export type * from './schema.js';
