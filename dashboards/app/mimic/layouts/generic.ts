// Any other kind of room (a boiler room, a kind added later): its symbols in rows, no pipes,
// so a new site gets a mimic of everything it has even before a layout exists for it.
import type { MimicModel } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { Canvas } from './canvas.js';

export function generic(model: MimicModel, b: Binder, width: number): Canvas {
  const c = new Canvas(b, width);
  c.rest(model.items);
  return c;
}
