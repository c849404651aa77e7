/**
 * The words of a room's mimic that the configuration uses too: site.yaml and the device files
 * name passive items and pump duties (src/config/mimic-schema.ts), the API and the dashboard
 * draw them (src/api-types/mimic.ts). Constants only: the dashboard bundles this file.
 */

/** Passive items: drawn from the configuration, with no device (and no values) of their own. */
export const passiveKinds = [
  'cooling-tower',
  'pressure-vessel',
  'liquid-tank',
  'vaporiser',
  'transformer',
] as const;

/** Which loop a pump serves. */
export const pumpDuties = ['chilled-water', 'condenser-water', 'booster', 'heating', 'other'] as const;
