// Names on the mimic are never cut: a label wraps within its width (at spaces, or between any
// two characters of a Chinese name) onto a few lines; what still does not fit ends in "…" and
// the label carries the full name as its tooltip (<title>).
import { s } from './svg.js';

const LINE_EM = 1.15;

/** A name centred at (x, y) (its first line's baseline) within `width`, on at most `lines` lines. */
export function label(
  text: string,
  x: number,
  y: number,
  width: number,
  lines = 2,
  cls = 'label',
): SVGTextElement {
  const el = s('text', {
    x,
    y,
    class: cls,
    'text-anchor': 'middle',
    'data-width': width,
    'data-lines': lines,
  });
  el.dataset.full = text;
  el.textContent = text;
  return el;
}

/** Breaks points: after spaces and dashes, or anywhere in text without spaces (Chinese). */
function pieces(text: string): string[] {
  if (/\s/.test(text.trim())) return text.split(/(?<=[\s\-—/])/);
  return [...text];
}

/** Fits every label of `root` to its width: call once the drawing is in the document. */
export function fitLabels(root: ParentNode): void {
  for (const el of root.querySelectorAll<SVGTextElement>('text[data-width]')) fitOne(el);
}

function fitOne(el: SVGTextElement): void {
  const full = el.dataset.full ?? el.textContent ?? '';
  const width = Number(el.dataset.width);
  const max = Number(el.dataset.lines) || 1;
  el.textContent = full;
  if (el.getComputedTextLength() <= width) return;
  const x = el.getAttribute('x') ?? '0';
  el.textContent = '';
  const measure = s('tspan', { x });
  el.append(measure);
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces(full)) {
    measure.textContent = line + piece;
    if (line && measure.getComputedTextLength() > width) {
      lines.push(line.trim());
      line = piece.trimStart();
    } else line += piece;
  }
  lines.push(line.trim());
  measure.remove();
  const shown = lines.slice(0, max);
  const cut = lines.length > max;
  shown.forEach((text, i) => {
    const span = s('tspan', { x, dy: i === 0 ? 0 : `${LINE_EM}em` });
    span.textContent = text;
    el.append(span);
    if (i === shown.length - 1 && (cut || span.getComputedTextLength() > width)) ellipsize(span, width);
  });
  if (cut || [...el.querySelectorAll('tspan')].some((t) => t.textContent?.endsWith('…')))
    el.append(s('title', {}, full));
}

function ellipsize(span: SVGTSpanElement, width: number): void {
  let text = span.textContent ?? '';
  span.textContent = `${text}…`;
  while (text.length > 1 && span.getComputedTextLength() > width) {
    text = text.slice(0, -1).trimEnd();
    span.textContent = `${text}…`;
  }
}
