// What every symbol shares: a link to its equipment page, a tooltip with its full name and
// state, its name (wrapped, never cut), its state in words, and an alarm indicator.
import type { MimicItem } from '../../../src/api-types/mimic.js';
import { localName, t } from '../i18n.js';
import { alarmMark } from './alarm-mark.js';
import type { Binder } from './bind.js';
import { label } from './label.js';
import { at, s } from './svg.js';

/** A symbol's running state, as words and as the data-state its drawing is styled by. */
export type SymbolState =
  | 'running'
  | 'stopped'
  | 'tripped'
  | 'fault'
  | 'open'
  | 'closed'
  | 'comm'
  | 'nodata'
  | 'normal'
  | 'alarm'
  | 'trapped'
  | 'out-of-service';

const WORD: Record<SymbolState, string> = {
  running: 'running',
  stopped: 'stopped',
  tripped: 'tripped',
  fault: 'fault',
  open: 'breaker.open',
  closed: 'breaker.closed',
  comm: 'status.comm',
  nodata: 'status.nodata',
  normal: 'q.good',
  alarm: 'status.alarm',
  trapped: 'mimic.trapped',
  'out-of-service': 'mimic.outOfService',
};

/** The translated word for a state; none for plain normal (only what is not normal draws the eye). */
export const stateWord = (state: SymbolState) => (state === 'normal' ? '' : t(WORD[state]));

export interface FrameOptions {
  /** The symbol's size: its name goes below, within its width. */
  w: number;
  h: number;
  /**
   * Points whose change redraws the state, and how the state is worked out; `word`, where the
   * equipment says more than the state's usual word ("LOCKOUT" rather than "FAULT").
   */
  state?: { points: string[]; of: () => SymbolState; word?: (state: SymbolState) => string };
  /** Where its state word goes (symbol coordinates); none when absent. */
  stateAt?: [number, number];
  /** Lines the name may take (2). */
  nameLines?: number;
}

export const itemName = (item: MimicItem) => localName(item.name, item.nameZh);

/** The symbol's group at (x, y): a link to the equipment when it has a device. */
export function frame(b: Binder, item: MimicItem, x: number, y: number, body: SVGElement[], o: FrameOptions) {
  const name = itemName(item);
  const title = s('title', {}, name);
  const g = item.device
    ? s('a', { href: `#/device/${encodeURIComponent(item.device)}`, class: `sym sym-${item.symbol}` })
    : s('g', { class: `sym sym-${item.symbol} passive` });
  g.setAttribute('transform', at(x, y));
  g.dataset.symbol = item.symbol;
  g.dataset.item = item.id;
  if (item.device) g.dataset.device = item.device;
  g.append(title, ...body, label(name, o.w / 2, o.h + 14, o.w + 16, o.nameLines ?? 2));
  const word = o.stateAt
    ? s('text', { x: o.stateAt[0], y: o.stateAt[1], 'text-anchor': 'middle', class: 'state' })
    : null;
  if (word) g.append(word);
  if (o.state) {
    const { points, of } = o.state;
    const wordOf = o.state.word ?? stateWord;
    b.points(points, () => {
      const state = of();
      const text = wordOf(state);
      g.dataset.state = state;
      if (word) word.textContent = text;
      title.textContent = text ? `${name} — ${text}` : name;
    });
  }
  if (item.device) g.append(alarmMark(b, item.device, o.w - 4, -4));
  return g;
}
