// Texts of the operations-records pages (English / 简体中文), merged into the one table in ../i18n.js.

/** @type {Record<string, [en: string, zh: string]>} */
export const RECORDS_TEXT = {
  'nav.records': ['Records', '运行记录'],
};
