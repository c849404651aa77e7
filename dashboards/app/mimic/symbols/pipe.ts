// Pipes and headers with the direction of flow: arrowheads along the line. A pipe whose pumps
// are all stopped is drawn dashed (no flow), so a stopped loop shows at a glance.
import { type Binder, goodBool } from '../bind.js';
import { points, s } from '../svg.js';

export type Dir = 'left' | 'right' | 'up' | 'down';

const ARROW: Record<Dir, string> = {
  right: '-5,-5 5,0 -5,5',
  left: '5,-5 -5,0 5,5',
  down: '-5,-5 0,5 5,-5',
  up: '-5,5 0,-5 5,5',
};

/** An arrowhead at (x, y) pointing `dir`. */
export const arrow = (x: number, y: number, dir: Dir) =>
  s('polygon', { points: ARROW[dir], transform: `translate(${x} ${y})`, class: 'flow-arrow' });

export interface PipeOptions {
  cls?: string;
  /** Flowing while any of these running points is true; drawn idle (dashed) when none is. */
  runningIds?: string[];
}

/** A straight pipe from (x1, y1) to (x2, y2), arrows every ~120 units pointing downstream. */
export function pipe(
  b: Binder,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  o: PipeOptions = {},
): SVGGElement {
  const dir: Dir = x1 === x2 ? (y2 > y1 ? 'down' : 'up') : x2 > x1 ? 'right' : 'left';
  const length = Math.hypot(x2 - x1, y2 - y1);
  const n = Math.max(1, Math.floor(length / 120));
  const arrows = Array.from({ length: n }, (_, i) => {
    const f = (i + 0.5) / n;
    return arrow(x1 + (x2 - x1) * f, y1 + (y2 - y1) * f, dir);
  });
  const g = s(
    'g',
    { class: `pipe ${o.cls ?? ''}` },
    s('polyline', { points: points([x1, y1], [x2, y2]) }),
    ...arrows,
  );
  const running = o.runningIds ?? [];
  if (running.length)
    b.points(running, () => {
      g.classList.toggle('idle', !running.some((id) => goodBool(id)));
    });
  return g;
}

/** A plain connecting line (a stub, a cable) without arrows. */
export const line = (x1: number, y1: number, x2: number, y2: number, cls = 'stub') =>
  s('polyline', { points: points([x1, y1], [x2, y2]), class: cls });
