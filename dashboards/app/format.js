import { t } from './i18n.js';

/** @param {number | boolean | null | undefined} value @param {string} [unit] */
export function formatValue(value, unit = '') {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? t('on') : t('off');
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
  const text = Number(value.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

/** "12 s", "3 min", "2 h" since an epoch-ms time. @param {number | null | undefined} ts */
export function formatAge(ts) {
  if (!ts) return t('never');
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** @param {number | null | undefined} ts */
export function formatTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString(undefined, { hour12: false })
    : d.toLocaleString(undefined, {
        hour12: false,
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
}
