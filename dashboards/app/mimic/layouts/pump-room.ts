// A pump room (secondary water supply): booster pumps between the suction header (from the
// break tank) and the outlet header, which shows the outlet pressure against its setpoint;
// the pressure vessel on the outlet; the building beyond.
import type { MimicItem, MimicModel } from '../../../../src/api-types/mimic.js';
import { formatValue } from '../../format.js';
import { t } from '../../i18n.js';
import { type Binder, figure, good, goodBool, hasPoint } from '../bind.js';
import { pid } from '../points.js';
import { s } from '../svg.js';
import { arrow } from '../symbols/pipe.js';
import { BELOW_NAME, Canvas, MARGIN, ofSymbol } from './canvas.js';

/** The header's pressure: the highest good outlet pressure of the running pumps (else of any). */
function outletPressure(pumps: MimicItem[]): number | null {
  const running = pumps.filter((p) => goodBool(pid(p, 'running')));
  const values = (running.length ? running : pumps)
    .map((p) => good(pid(p, 'outlet_pressure_bar')))
    .filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}

function setpointValue(model: MimicModel): number | null {
  const sp = model.setpoint;
  if (!sp) return null;
  return sp.value ?? (sp.point ? good(sp.point) : null);
}

/** "4.52 bar · setpoint 4.50 bar (+0.02)". */
function pressureText(model: MimicModel, pumps: MimicItem[]): string {
  const now = outletPressure(pumps);
  const shown = formatValue(now, 'bar');
  if (!model.setpoint) return shown;
  const target = setpointValue(model);
  const delta =
    target === null || now === null ? '' : ` (${now >= target ? '+' : ''}${formatValue(now - target)})`;
  return `${shown} · ${t('mimic.setpoint')} ${formatValue(target, 'bar')}${delta}`;
}

export function pumpRoom(model: MimicModel, b: Binder, width: number): Canvas {
  const pumps = ofSymbol(model.items, 'pump');
  const vessels = ofSymbol(model.items, 'pressure-vessel', 'liquid-tank');
  const rest = model.items.filter((i) => ![...pumps, ...vessels].includes(i));
  const c = new Canvas(b, Math.max(width, Canvas.rowWidth(pumps), Canvas.rowWidth(vessels)));
  const running = pumps.map((p) => pid(p, 'running')).filter(hasPoint);

  const suction = MARGIN + 26;
  c.header(suction, 'right', [s('text', { class: 'figure' }, t('mimic.suction'))], 'water', running);
  const y = suction + 30;
  const placed = c.row(pumps, y);
  const outlet = y + Canvas.rowHeight(pumps) + 20;
  const pressures = pumps.map((p) => pid(p, 'outlet_pressure_bar')).filter(hasPoint);
  const spIds = model.setpoint?.point ? [model.setpoint.point] : [];
  c.header(
    outlet,
    'right',
    [figure(b, t('mimic.outletPressure'), [...pressures, ...spIds], () => pressureText(model, pumps))],
    'water',
    running,
  );
  for (const p of placed) {
    c.pipe(p.cx - 20, suction, p.cx - 20, p.y, 'stub water', [pid(p.item, 'running')]);
    c.pipe(p.cx + 20, p.y + p.h + BELOW_NAME, p.cx + 20, outlet, 'stub water', [pid(p.item, 'running')]);
  }
  c.add(
    s(
      'text',
      { x: c.width - MARGIN - 4, y: outlet - 6, 'text-anchor': 'end', class: 'end-label' },
      t('mimic.toBuilding'),
    ),
    s('text', { x: MARGIN + 4, y: suction + 16, class: 'end-label' }, t('mimic.fromTank')),
    arrow(c.width - MARGIN, outlet, 'right'),
  );
  const vy = outlet + 26;
  for (const v of c.row(vessels, vy)) c.pipe(v.cx, outlet, v.cx, v.y, 'stub water');
  c.fit(0, vy + Canvas.rowHeight(vessels) + MARGIN);
  c.rest(rest);
  return c;
}
