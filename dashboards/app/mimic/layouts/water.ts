// The site's water meter tree: the site on top, its main meters below, each meter's
// sub-meters below it (energy.yaml's metering tree), with flows; this room's meters marked.
// Under a meter with sub-meters, what they do not account for: the unmetered flow.
import type { MimicItem, MimicModel } from '../../../../src/api-types/mimic.js';
import { formatValue } from '../../format.js';
import { localName, t } from '../../i18n.js';
import { type Binder, figure, good } from '../bind.js';
import { pid, present } from '../points.js';
import { s } from '../svg.js';
import { METER } from '../symbols/meter.js';
import { line } from '../symbols/pipe.js';
import { Canvas, GAP, MARGIN } from './canvas.js';

const LEVEL = METER.h + 90;
const COL = METER.w + GAP;

interface Node {
  item: MimicItem;
  children: Node[];
  x: number;
}

function tree(items: MimicItem[]): Node[] {
  const meters = items.filter((i) => i.symbol === 'meter');
  const nodes = new Map(meters.map((item) => [item.id, { item, children: [] as Node[], x: 0 }]));
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.item.parent ? nodes.get(node.item.parent) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Leaves one column apart, each parent centred over its children. */
function position(nodes: Node[], next: { x: number }): void {
  for (const node of nodes) {
    if (node.children.length) {
      position(node.children, next);
      const first = node.children[0]?.x ?? 0;
      const last = node.children.at(-1)?.x ?? 0;
      node.x = (first + last) / 2;
    } else {
      node.x = next.x;
      next.x += COL;
    }
  }
}

const flowOf = (items: MimicItem[]) => {
  const values = items.map((i) => good(pid(i, 'flow_m3h')));
  return values.some((v) => v === null) ? null : (values as number[]).reduce((a, v) => a + v, 0);
};

export function waterTree(model: MimicModel, b: Binder, width: number): Canvas {
  const roots = tree(model.items);
  position(roots, { x: MARGIN });
  const leaves = Math.max(1, Math.round((roots.reduce((m, r) => Math.max(m, r.x), 0) - MARGIN) / COL) + 1);
  const c = new Canvas(b, Math.max(width, leaves * COL + 2 * MARGIN));
  const shift = Math.max(0, (c.width - (leaves * COL - GAP) - 2 * MARGIN) / 2);
  const rootY = MARGIN;
  const mainsY = rootY + 70;
  const mains = roots.map((r) => r.item);
  const siteX = c.width / 2;
  c.add(
    s('rect', { x: siteX - 150, y: rootY, width: 300, height: 40, rx: 6, class: 'body site-box' }),
    s(
      'text',
      { x: siteX, y: rootY + 17, 'text-anchor': 'middle', class: 'label' },
      localName(model.siteName, model.siteNameZh),
    ),
    figure(
      b,
      t('mimic.siteFlow'),
      mains.flatMap((m) => present(m, ['flow_m3h'])),
      () => formatValue(flowOf(mains), 'm³/h'),
      siteX,
      rootY + 33,
    ),
  );
  c.parts.at(-1)?.setAttribute('text-anchor', 'middle');
  const draw = (nodes: Node[], y: number, fromX: number, fromY: number) => {
    const bus = fromY + 14;
    const xs = nodes.map((n) => n.x + shift + METER.w / 2);
    c.under.push(
      line(fromX, fromY, fromX, bus),
      line(Math.min(fromX, ...xs), bus, Math.max(fromX, ...xs), bus),
    );
    for (const node of nodes) {
      const x = node.x + shift;
      const cx = x + METER.w / 2;
      c.pipe(cx, bus, cx, y, 'stub water');
      c.place(node.item, x, y);
      // This room's own meters stand out from the rest of the site's tree.
      if (!node.item.room) c.parts.at(-1)?.classList.add('here');
      if (node.children.length) {
        const kids = node.children.map((k) => k.item);
        const ids = [node.item, ...kids].flatMap((i) => present(i, ['flow_m3h']));
        c.add(
          figure(
            b,
            t('mimic.unmetered'),
            ids,
            () => {
              const parent = good(pid(node.item, 'flow_m3h'));
              const sum = flowOf(kids);
              return parent === null || sum === null ? '—' : formatValue(parent - sum, 'm³/h');
            },
            cx,
            y + METER.h + 48,
          ),
        );
        c.parts.at(-1)?.setAttribute('text-anchor', 'middle');
        draw(node.children, y + LEVEL, cx, y + METER.h + 54);
      }
    }
  };
  draw(roots, mainsY, siteX, rootY + 40);
  c.rest(model.items.filter((i) => i.symbol !== 'meter'));
  return c;
}
