// A room's mimic: the gateway's model of the room (symbols from the configuration) laid out by
// the room's kind, drawn as SVG, bound to live values. The layouts know the room kinds; any
// other kind gets the generic rows.
import type { MimicModel } from '../../../src/api-types/mimic.js';
import { localName } from '../i18n.js';
import { Binder } from './bind.js';
import { fitLabels } from './label.js';
import type { Canvas } from './layouts/canvas.js';
import { chillerPlant } from './layouts/chiller-plant.js';
import { distributionRoom } from './layouts/distribution.js';
import { generic } from './layouts/generic.js';
import { heatingPlant } from './layouts/heating.js';
import { liftRoom } from './layouts/lifts.js';
import { oxygenStation } from './layouts/oxygen-station.js';
import { pumpRoom } from './layouts/pump-room.js';
import { waterTree } from './layouts/water.js';

const LAYOUTS: Record<string, (model: MimicModel, b: Binder, width: number) => Canvas> = {
  'chiller-plant': chillerPlant,
  'distribution-room': distributionRoom,
  'pump-room': pumpRoom,
  'oxygen-station': oxygenStation,
  'water-meter-point': waterTree,
  'boiler-room': heatingPlant,
  'heat-station': heatingPlant,
  'elevator-machine-room': liftRoom,
};

export interface Mimic {
  svg: SVGSVGElement;
  binder: Binder;
  /** Devices whose values it shows (the site's water meters, for a meter pit). */
  devices: string[];
  /** Fits the labels: call once the drawing is in the document. */
  fit(): void;
}

/** Headers and busbars span the box up to this width; beyond it the drawing stays centred. */
const MAX_WIDTH = 1400;
/** Narrower than this, the drawing keeps its width and the box scrolls (a phone). */
const MIN_WIDTH = 320;

/** The room's mimic, laid out to `available` pixels where it fits in them (it scrolls where not). */
export function drawMimic(model: MimicModel, available: number): Mimic {
  const binder = new Binder();
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.floor(available)));
  const canvas = (LAYOUTS[model.kind] ?? generic)(model, binder, width);
  const svg = canvas.svg(`mimic-${model.kind}`);
  svg.dataset.kind = model.kind;
  svg.setAttribute('aria-label', localName(model.name, model.nameZh));
  const devices = [
    ...new Set([
      ...model.items.flatMap((i) => (i.device ? [i.device] : [])),
      ...binder.pointIds().map((id) => id.slice(0, id.indexOf('.'))),
    ]),
  ];
  return { svg, binder, devices, fit: () => fitLabels(svg) };
}
