// What every room layout uses: a drawing that grows to fit what is put on it, symbols placed
// in centred rows (or where the room's mimic.layout puts them by hand), headers with their
// caption and live figures, and a row for whatever the layout has no place for.
import type { MimicItem } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { s } from '../svg.js';
import { NAME_SPACE, SYMBOLS } from '../symbols/index.js';
import { type Dir, pipe } from '../symbols/pipe.js';

export const MARGIN = 24;
export const GAP = 28;
/** Below a symbol's name (two lines): where pipes leave a symbol downwards. */
export const BELOW_NAME = 36;

/** Where a symbol ended up: its box, and the middle of its top and bottom edges. */
export interface Placed {
  item: MimicItem;
  x: number;
  y: number;
  w: number;
  h: number;
  cx: number;
}

export class Canvas {
  readonly parts: SVGElement[] = [];
  /** Pipes go under the symbols. */
  readonly under: SVGElement[] = [];
  width: number;
  height = MARGIN;

  constructor(
    readonly b: Binder,
    minWidth = 640,
  ) {
    this.width = minWidth;
  }

  /** Draws the item at (x, y), or where the configuration placed it by hand. */
  place(item: MimicItem, x: number, y: number): Placed {
    const def = SYMBOLS[item.symbol];
    const px = item.at?.x ?? x;
    const py = item.at?.y ?? y;
    this.parts.push(def.draw(this.b, item, px, py));
    this.fit(px + def.size.w + MARGIN, py + def.size.h + NAME_SPACE + MARGIN);
    return { item, x: px, y: py, w: def.size.w, h: def.size.h, cx: px + def.size.w / 2 };
  }

  /** A row of items centred across the drawing at y; returns where each went. */
  row(items: MimicItem[], y: number, width = this.width): Placed[] {
    const ws = items.map((i) => SYMBOLS[i.symbol].size.w);
    const total = ws.reduce((a, w) => a + w, 0) + GAP * Math.max(0, items.length - 1);
    let x = Math.max(MARGIN, (width - total) / 2);
    return items.map((item, i) => {
      const placed = this.place(item, x, y);
      x += (ws[i] ?? 0) + GAP;
      return placed;
    });
  }

  /** The height of the tallest of these items with their names. */
  static rowHeight(items: MimicItem[]): number {
    return Math.max(0, ...items.map((i) => SYMBOLS[i.symbol].size.h + NAME_SPACE));
  }

  /** The width a row of these items needs. */
  static rowWidth(items: MimicItem[]): number {
    return items.reduce((a, i) => a + SYMBOLS[i.symbol].size.w + GAP, 2 * MARGIN);
  }

  fit(w: number, h: number): void {
    this.width = Math.max(this.width, w);
    this.height = Math.max(this.height, h);
  }

  add(...els: SVGElement[]): void {
    this.parts.push(...els);
  }

  pipe(x1: number, y1: number, x2: number, y2: number, cls = '', runningIds: string[] = []): void {
    this.under.push(pipe(this.b, x1, y1, x2, y2, { cls, runningIds }));
  }

  /** A header across the drawing at y with its caption (and figures) above it at the left. */
  header(y: number, dir: Dir, caption: SVGElement[], cls = '', runningIds: string[] = []): void {
    const [x1, x2] = dir === 'left' ? [this.width - MARGIN, MARGIN] : [MARGIN, this.width - MARGIN];
    this.pipe(x1, y, x2, y, `header ${cls}`, runningIds);
    this.add(s('g', { class: 'header-caption', transform: `translate(${MARGIN + 4} ${y - 7})` }, ...caption));
    this.fit(0, y + MARGIN);
  }

  /** Items the layout has no place for, in rows at the bottom, so nothing configured is left out. */
  rest(items: MimicItem[]): void {
    const perRow = Math.max(1, Math.floor((this.width - 2 * MARGIN) / 200));
    for (let i = 0; i < items.length; i += perRow) {
      const chunk = items.slice(i, i + perRow);
      const y = this.height;
      this.row(chunk, y);
      this.fit(0, y + Canvas.rowHeight(chunk) + GAP);
    }
  }

  svg(cls: string): SVGSVGElement {
    return s(
      'svg',
      {
        class: `mimic-svg ${cls}`,
        viewBox: `0 0 ${this.width} ${this.height}`,
        width: this.width,
        height: this.height,
      },
      s('g', { class: 'pipes' }, ...this.under),
      s('g', { class: 'symbols' }, ...this.parts),
    );
  }
}

/** Items of these symbols, in the configuration's order. */
export const ofSymbol = (items: MimicItem[], ...symbols: MimicItem['symbol'][]) =>
  items.filter((i) => symbols.includes(i.symbol));
