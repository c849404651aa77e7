// Texts of the energy pages (English / 简体中文), merged into the one table in ../i18n.js.

/** @type {Record<string, [en: string, zh: string]>} */
export const ENERGY_TEXT = {
  'nav.energy': ['Energy', '能源'],
};
