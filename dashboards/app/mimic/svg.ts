// Building SVG safely, as dom.ts builds HTML: attributes set one by one, text as text nodes.

const NS = 'http://www.w3.org/2000/svg';

export type Attrs = Record<string, string | number | undefined | null | false>;
export type SvgChild = SVGElement | string | null | undefined | false;

/** s('rect', { x: 0, y: 0, width: 10, height: 10, class: 'body' }, ...children) */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: SvgChild[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs))
    if (value !== undefined && value !== null && value !== false) el.setAttribute(key, String(value));
  for (const child of children) if (child) el.append(child);
  return el;
}

/** A polyline's points from pairs. */
export const points = (...xy: [number, number][]) => xy.map(([x, y]) => `${x},${y}`).join(' ');

/** Translate a group to (x, y). */
export const at = (x: number, y: number) => `translate(${x} ${y})`;
