/**
 * The configuration the gateway runs on: src/config validates the files and the references
 * between them, and each feature module checks its own section (test/architecture.test.ts). Use
 * this rather than loadConfig alone wherever a configuration is accepted for running
 * (`plantwatch run`, `plantwatch check-config`): loadConfig alone lets a broken rule through.
 */
import { alarmRulesCheck } from '../alarms/section-check.js';
import { type LoadOptions, loadConfig, type PlantConfig, type SectionCheck } from '../config/index.js';

/** Every feature module's check of its own section, in the order their problems are listed. */
export const SECTION_CHECKS: readonly SectionCheck[] = [alarmRulesCheck];

export function loadPlantConfig(dir: string, options: LoadOptions = {}): PlantConfig {
  return loadConfig(dir, {
    ...options,
    sectionChecks: [...SECTION_CHECKS, ...(options.sectionChecks ?? [])],
  });
}
