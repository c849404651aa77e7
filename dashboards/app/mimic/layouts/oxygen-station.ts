// A liquid-oxygen station: the tank with its level, the liquid line to the vaporisers, the gas
// to the manifold whose supply pressure and purity the wards depend on, and the station's
// low-pressure alarm on the manifold.
import type { MimicItem, MimicModel } from '../../../../src/api-types/mimic.js';
import { t } from '../../i18n.js';
import { alarmMark } from '../alarm-mark.js';
import { type Binder, goodBool, hasPoint, valueText } from '../bind.js';
import { itemName } from '../frame.js';
import { pid } from '../points.js';
import { s } from '../svg.js';
import { arrow } from '../symbols/pipe.js';
import { BELOW_NAME, Canvas, MARGIN, ofSymbol } from './canvas.js';

const MANIFOLD = { w: 190, h: 96 };

/** The manifold: supply pressure, purity and the low-pressure alarm of the station's device. */
function manifold(b: Binder, station: MimicItem, x: number, y: number): SVGElement {
  const alarm = pid(station, 'low_pressure_alarm');
  const word = s('text', { x: MANIFOLD.w / 2, y: 86, 'text-anchor': 'middle', class: 'state' });
  const g = s(
    'a',
    {
      href: `#/device/${encodeURIComponent(station.device ?? station.id)}`,
      class: 'sym sym-manifold',
      transform: `translate(${x} ${y})`,
    },
    s('title', {}, `${t('mimic.manifold')} — ${itemName(station)}`),
    s('rect', { x: 0, y: 0, width: MANIFOLD.w, height: MANIFOLD.h, rx: 6, class: 'body' }),
    s('text', { x: MANIFOLD.w / 2, y: 18, 'text-anchor': 'middle', class: 'label' }, t('mimic.manifold')),
    hasPoint(pid(station, 'supply_pressure_bar'))
      ? valueText(b, pid(station, 'supply_pressure_bar'), MANIFOLD.w / 2, 40)
      : null,
    hasPoint(pid(station, 'purity_pct'))
      ? valueText(b, pid(station, 'purity_pct'), MANIFOLD.w / 2, 58, { caption: 'O₂' })
      : null,
    word,
  );
  g.dataset.symbol = 'manifold';
  g.dataset.item = `${station.id}-manifold`;
  if (station.device) g.dataset.device = station.device;
  if (hasPoint(alarm))
    b.points([alarm], () => {
      const on = goodBool(alarm);
      g.dataset.state = on ? 'alarm' : 'normal';
      word.textContent = on ? t('mimic.lowPressure') : '';
    });
  if (station.device) g.append(alarmMark(b, station.device, MANIFOLD.w - 4, -4));
  return g;
}

export function oxygenStation(model: MimicModel, b: Binder, width: number): Canvas {
  const stations = ofSymbol(model.items, 'oxygen-station');
  const tanks = [...stations, ...ofSymbol(model.items, 'liquid-tank')];
  const vaporisers = ofSymbol(model.items, 'vaporiser');
  const rest = model.items.filter((i) => ![...tanks, ...vaporisers].includes(i));
  const c = new Canvas(b, Math.max(width, Canvas.rowWidth([...tanks, ...vaporisers]) + MANIFOLD.w + 80));

  const y = MARGIN + 30;
  const row = c.row([...tanks, ...vaporisers], y, c.width - MANIFOLD.w - 60);
  const placedTanks = row.slice(0, tanks.length);
  const placedVaps = row.slice(tanks.length);
  const liquid = y + Math.max(Canvas.rowHeight(tanks), Canvas.rowHeight(vaporisers)) + 16;
  const gas = MARGIN + 12;
  const first = placedTanks[0];
  const lastVap = placedVaps.at(-1);
  if (first && placedVaps.length && lastVap) {
    c.pipe(first.cx, liquid, lastVap.cx, liquid, 'liquid');
    for (const t of placedTanks) c.pipe(t.cx, t.y + t.h + BELOW_NAME, t.cx, liquid, 'stub liquid');
    for (const v of placedVaps) {
      c.pipe(v.cx, liquid, v.cx, v.y + v.h + BELOW_NAME, 'stub liquid');
      c.pipe(v.cx, v.y, v.cx, gas, 'stub gas');
    }
  }
  const start = placedVaps[0] ?? first;
  const mx = c.width - MARGIN - MANIFOLD.w;
  if (start) c.pipe(start.cx, gas, mx + MANIFOLD.w / 2, gas, 'gas');
  const station = stations[0];
  if (station) {
    c.pipe(mx + MANIFOLD.w / 2, gas, mx + MANIFOLD.w / 2, y, 'stub gas');
    c.add(manifold(b, station, mx, y));
    const out = y + MANIFOLD.h + 40;
    c.pipe(mx + MANIFOLD.w / 2, y + MANIFOLD.h, mx + MANIFOLD.w / 2, out, 'gas');
    c.add(
      s(
        'text',
        { x: mx + MANIFOLD.w / 2, y: out + 16, 'text-anchor': 'middle', class: 'end-label' },
        t('mimic.toWards'),
      ),
      arrow(mx + MANIFOLD.w / 2, out, 'down'),
    );
    c.fit(0, out + 30);
  }
  c.fit(0, liquid + MARGIN);
  c.rest(rest);
  return c;
}
