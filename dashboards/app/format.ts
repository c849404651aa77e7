// Numbers, ages and times as the pages show them. Times are the plant's (time.ts), never the
// browser's zone: a control-room PC or a phone may be set to anything.
import { t } from './i18n.js';

/** "12.3 kW", "ON", "—": a value with its unit, 2 significant decimals below 100. */
export function formatValue(value: number | boolean | null | undefined, unit = ''): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? t('on') : t('off');
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
  const text = Number(value.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

/** "12 s", "3 min", "2 h", "4 d" (秒 / 分钟 / 小时 / 天 in Chinese) since an epoch-ms time. */
export function formatAge(ts: number | null | undefined, now = Date.now()): string {
  if (!ts) return t('never');
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 90) return t('age.s', { n: s });
  if (s < 5400) return t('age.min', { n: Math.round(s / 60) });
  if (s < 172_800) return t('age.h', { n: Math.round(s / 3600) });
  return t('age.d', { n: Math.round(s / 86_400) });
}

/** "14:05:09" today in the plant, "11-24 14:05" another day: 24-hour clock, plant zone. */
export { formatTime } from './time.js';
