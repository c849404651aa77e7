/**
 * The alarm system's check of its own section of the configuration: every rule of alarms.yaml
 * applied to the plant (devices, points, expressions, places), so that a rule naming a point
 * that does not exist is refused at load time, with its file, key and line, instead of the
 * gateway starting and watching nothing. Handed to loadConfig by src/gateway/load-config.ts.
 */
import type { SectionCheck } from '../config/index.js';
import { expandRules } from './rules.js';

export const alarmRulesCheck: SectionCheck = {
  file: 'alarms.yaml',
  check: (config) =>
    expandRules(config, config.alarms.rules, { timezone: config.alarms.settings.timezone }).problems.map(
      (problem) => ({ path: ['rules', problem.rule, ...problem.path], message: problem.message }),
    ),
};
