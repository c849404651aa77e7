/**
 * What an alarm says, phase by phase. Active: the rule's own words with the reading now.
 * Returned (the activation not yet closed): the same words with the reading that raised it,
 * and when it came back. Normal: what it watches and the reading now. So a template is never
 * filled with an absent reading ("no data bar (limit bar)") or with a return's zero ("no data
 * for 0 s"), and a list or an e-mail read after the fact still says what happened.
 */
import { formatLocal, hhmm, localClockOf } from '../clock/index.js';
import type { AlarmRuleConfig } from '../config/alarms-schema.js';
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
}

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
    value: formatValue(value),
    limit: limit === null ? '' : formatValue(limit),
    time: formatLocal(ts, wording.timezone),
  });
}

/** "Chiller 1: fault code 207 (returned to normal 03:12, now 0)". */
function returnedText(wording: AlarmWording, now: Scalar, raised: RaisedBy, returnedAt: number): string {
  const back = hhmm(localClockOf(wording.timezone)(returnedAt));
  if (wording.commLoss) {
    // The whole silence, not the seconds that raised it nor the zero it returned at.
    const silence = activeText(wording, silenceSeconds(raised, returnedAt), raised.limit, raised.ts);
    return `${silence} (data back ${back})`;
  }
  const words = activeText(wording, raised.value, raised.limit, raised.ts);
  const unit = wording.fixed.unit ? ` ${wording.fixed.unit}` : '';
  // A state back to false says nothing a return does not; a number shows how far back it is.
  const reading = typeof now === 'number' ? `, now ${formatValue(now)}${unit}` : '';
  return `${words} (returned to normal ${back}${reading})`;
}

const silenceSeconds = (raised: RaisedBy, returnedAt: number): Scalar =>
  typeof raised.value === 'number'
    ? raised.value + Math.round((returnedAt - raised.ts) / 1000)
    : raised.value;

/** "Pump 2: pressure_bar 4.2 bar, normal — alarm when pressure_bar > 5 bar". */
function normalText(wording: AlarmWording, value: Scalar): string {
  const when = `alarm when ${wording.condition}`;
  if (wording.label === undefined) return `${wording.who}: normal — ${when}`;
  if (value === null) return `${wording.who}: no good reading of ${wording.label} — ${when}`;
  const unit = wording.fixed.unit ? ` ${wording.fixed.unit}` : '';
  return `${wording.who}: ${wording.label} ${formatValue(value)}${unit}, normal — ${when}`;
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

export function renderMessage(template: string, fields: Readonly<Record<string, string>>): string {
  return template
    .replace(/\{([A-Za-z]+)\}/g, (whole, name: string) =>
      Object.hasOwn(fields, name) ? (fields[name] as string) : whole,
    )
    .replace(/\s+/g, ' ')
    .trim();
}

export function formatValue(value: Scalar | number): string {
  if (value === null) return 'no data';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return String(Number(value.toFixed(digits)));
}
