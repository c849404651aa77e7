// The alarm indicator on a symbol (ISA-101): shape, colour and number by priority, so it reads
// without colour too: 1 critical (diamond), 2 high (triangle), 3 medium (square), 4 low
// (circle); it blinks while unacknowledged. Hidden when the equipment has no active alarm.
import { t } from '../i18n.js';
import { type Binder, deviceAlarms } from './bind.js';
import { s } from './svg.js';

const ORDER = ['critical', 'high', 'medium', 'low'];
const UNACK = new Set(['active-unacknowledged', 'returned-unacknowledged']);

function shape(priority: string): SVGElement {
  if (priority === 'critical') return s('polygon', { points: '0,-11 11,0 0,11 -11,0', class: 'mark-shape' });
  if (priority === 'high') return s('polygon', { points: '0,-11 11,8 -11,8', class: 'mark-shape' });
  if (priority === 'medium') return s('rect', { x: -9, y: -9, width: 18, height: 18, class: 'mark-shape' });
  return s('circle', { r: 9, class: 'mark-shape' });
}

export function alarmMark(b: Binder, device: string, x: number, y: number): SVGGElement {
  const g = s('g', { class: 'alarm-mark', transform: `translate(${x} ${y})` });
  b.alarms(() => {
    const alarms = deviceAlarms(device);
    const top = alarms.map((a) => a.priority).sort((p, q) => ORDER.indexOf(p) - ORDER.indexOf(q))[0];
    g.replaceChildren();
    if (!top) {
      delete g.dataset.priority;
      return;
    }
    const n = ORDER.indexOf(top) + 1;
    g.dataset.priority = top;
    g.classList.toggle(
      'unack',
      alarms.some((a) => UNACK.has(a.state)),
    );
    g.append(
      s('title', {}, `${t(`p.${top}`)} · ${alarms.length}`),
      shape(top),
      s('text', { y: 4, 'text-anchor': 'middle', class: 'mark-n' }, String(n)),
    );
  });
  return g;
}
