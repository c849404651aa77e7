/**
 * What an alarm says, phase by phase. Active: the rule's own words with the reading now.
 * Returned (the activation not yet closed): the same words with the reading that raised it,
 * and when it came back. Normal: what it watches and the reading now. So a template is never
 * filled with an absent reading ("no data bar (limit bar)") or with a return's zero ("no data
 * for 0 s"), and a list or an e-mail read after the fact still says what happened.
 */
import { formatLocal, hhmm, localClockOf } from '../clock/index.js';
import type { AlarmRuleConfig } from '../config/alarms-schema.js';
import type { Language } from '../config/names.js';
import type { Scalar } from './expression.js';
import type { RaisedBy } from './types.js';

export type MessagePhase = 'active' | 'returned' | 'normal';

export type MessageInput =
  | {
      phase: 'active' | 'normal';
      /** The reading now. */
      value: Scalar;
      limit: number | null;
      /** The {time} of the active words: when the alarm became active. */
      ts: number;
    }
  | { phase: 'returned'; value: Scalar; raised: RaisedBy; returnedAt: number };

/** Everything about an alarm its messages need, fixed when the rule is applied. */
export interface AlarmWording {
  /** The rule's words for the active phase (its message, or the default of its type). */
  template: string;
  /** Placeholders fixed per alarm: device, place, label, unit... */
  fixed: Readonly<Record<string, string>>;
  /** Whom a normal message names: the device, or the rule when it spans several devices. */
  who: string;
  /** The condition in one line, e.g. "pressure_bar > 5 bar". */
  condition: string;
  /** The watched point's label, when a normal message shows its reading (not comm-loss, not expressions). */
  label?: string;
  /** A comm-loss alarm: its value is seconds of silence, back to 0 once data returns. */
  commLoss: boolean;
  timezone?: string;
  /** The language of the words around the template's (English unless given). */
  lang?: Language;
}

/** The words messages.ts itself adds around a rule's template, per language. */
const WORDS = {
  en: {
    dataBack: (back: string) => ` (data back ${back})`,
    returned: (back: string, reading: string) => ` (returned to normal ${back}${reading})`,
    now: (value: string) => `, now ${value}`,
    normal: (who: string, when: string) => `${who}: normal — alarm when ${when}`,
    noReading: (who: string, label: string, when: string) =>
      `${who}: no good reading of ${label} — alarm when ${when}`,
    reading: (who: string, label: string, value: string, when: string) =>
      `${who}: ${label} ${value}, normal — alarm when ${when}`,
    noData: 'no data',
    yes: 'true',
    no: 'false',
  },
  zh: {
    dataBack: (back: string) => `（${back} 数据恢复）`,
    returned: (back: string, reading: string) => `（${back} 恢复正常${reading}）`,
    now: (value: string) => `，现为 ${value}`,
    normal: (who: string, when: string) => `${who}：正常——报警条件：${when}`,
    noReading: (who: string, label: string, when: string) => `${who}：${label}无有效读数——报警条件：${when}`,
    reading: (who: string, label: string, value: string, when: string) =>
      `${who}：${label} ${value}，正常——报警条件：${when}`,
    noData: '无数据',
    yes: '是',
    no: '否',
  },
} as const;

export function alarmMessage(wording: AlarmWording): (input: MessageInput) => string {
  return (input) => {
    switch (input.phase) {
      case 'active':
        return activeText(wording, input.value, input.limit, input.ts);
      case 'returned':
        return returnedText(wording, input.value, input.raised, input.returnedAt);
      case 'normal':
        return normalText(wording, input.value);
    }
  };
}

function activeText(wording: AlarmWording, value: Scalar, limit: number | null, ts: number): string {
  return renderMessage(wording.template, {
    ...wording.fixed,
    value: formatValue(value, wording.lang),
    limit: limit === null ? '' : formatValue(limit, wording.lang),
    time: formatLocal(ts, wording.timezone),
  });
}

/** "Chiller 1: fault code 207 (returned to normal 03:12, now 0)". */
function returnedText(wording: AlarmWording, now: Scalar, raised: RaisedBy, returnedAt: number): string {
  const back = hhmm(localClockOf(wording.timezone)(returnedAt));
  const words = WORDS[wording.lang ?? 'en'];
  if (wording.commLoss) {
    // The whole silence, not the seconds that raised it nor the zero it returned at.
    const silence = activeText(wording, silenceSeconds(raised, returnedAt), raised.limit, raised.ts);
    return `${silence}${words.dataBack(back)}`;
  }
  const active = activeText(wording, raised.value, raised.limit, raised.ts);
  const unit = wording.fixed.unit ? ` ${wording.fixed.unit}` : '';
  // A state back to false says nothing a return does not; a number shows how far back it is.
  const reading = typeof now === 'number' ? words.now(`${formatValue(now)}${unit}`) : '';
  return `${active}${words.returned(back, reading)}`;
}

const silenceSeconds = (raised: RaisedBy, returnedAt: number): Scalar =>
  typeof raised.value === 'number'
    ? raised.value + Math.round((returnedAt - raised.ts) / 1000)
    : raised.value;

/** "Pump 2: pressure_bar 4.2 bar, normal — alarm when pressure_bar > 5 bar". */
function normalText(wording: AlarmWording, value: Scalar): string {
  const words = WORDS[wording.lang ?? 'en'];
  const { who, label, condition } = wording;
  if (label === undefined) return words.normal(who, condition);
  if (value === null) return words.noReading(who, label, condition);
  const unit = wording.fixed.unit ? ` ${wording.fixed.unit}` : '';
  return words.reading(who, label, `${formatValue(value, wording.lang)}${unit}`, condition);
}

/** The active words of a rule without a message of its own. */
export function defaultMessage(rule: AlarmRuleConfig): string {
  switch (rule.type) {
    case 'high':
    case 'high-high':
      return '{deviceName}: {label} high, {value} {unit} (limit {limit} {unit})';
    case 'low':
    case 'low-low':
      return '{deviceName}: {label} low, {value} {unit} (limit {limit} {unit})';
    case 'state':
      return '{deviceName}: {label} ({value})';
    case 'rate':
      return '{deviceName}: {label} changing at {value} {unit}/min (limit {limit})';
    case 'deviation':
      return '{deviceName}: {label} off its reference by {value} {unit} (limit {limit})';
    case 'comm-loss':
      return '{deviceName}: no data for {value} s';
    case 'expression':
      return rule.description ?? '{rule}: condition true';
  }
}

/** The same in Chinese, for a rule without a Chinese message of its own. */
export function defaultMessageZh(rule: AlarmRuleConfig): string {
  switch (rule.type) {
    case 'high':
    case 'high-high':
      return '{deviceName}：{label}过高，{value} {unit}（限值 {limit} {unit}）';
    case 'low':
    case 'low-low':
      return '{deviceName}：{label}过低，{value} {unit}（限值 {limit} {unit}）';
    case 'state':
      return '{deviceName}：{label}（{value}）';
    case 'rate':
      return '{deviceName}：{label}变化速率 {value} {unit}/分钟（限值 {limit}）';
    case 'deviation':
      return '{deviceName}：{label}偏离参考值 {value} {unit}（限值 {limit}）';
    case 'comm-loss':
      return '{deviceName}：{value} 秒无数据';
    case 'expression':
      return rule.descriptionZh ?? '{rule}：条件成立';
  }
}

export function renderMessage(template: string, fields: Readonly<Record<string, string>>): string {
  return template
    .replace(/\{([A-Za-z]+)\}/g, (whole, name: string) =>
      Object.hasOwn(fields, name) ? (fields[name] as string) : whole,
    )
    .replace(/\s+/g, ' ')
    .trim();
}

export function formatValue(value: Scalar | number, lang: Language = 'en'): string {
  if (value === null) return WORDS[lang].noData;
  if (typeof value === 'boolean') return value ? WORDS[lang].yes : WORDS[lang].no;
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return String(Number(value.toFixed(digits)));
}
