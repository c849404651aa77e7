// The symbol library, by the symbol kind the gateway's mimic model names.
import type { MimicItem, SymbolKind } from '../../../../src/api-types/mimic.js';
import type { Binder } from '../bind.js';
import { BOILER, boiler } from './boiler.js';
import { CHILLER, chiller } from './chiller.js';
import { coolingTower, TOWER } from './cooling-tower.js';
import { DEVICE, device } from './device.js';
import { FEEDER, feeder } from './feeder.js';
import { GAS_METER, gasMeter } from './gas-meter.js';
import { HEAT_EXCHANGER, heatExchanger } from './heat-exchanger.js';
import { LIFT, lift } from './lift.js';
import { METER, meter } from './meter.js';
import { PUMP, pump } from './pump.js';
import { liquidTank, TANK } from './tank.js';
import { TRANSFORMER, transformer } from './transformer.js';
import { VAPORISER, vaporiser } from './vaporiser.js';
import { pressureVessel, VESSEL } from './vessel.js';
import { WATER_TREATMENT, waterTreatment } from './water-treatment.js';

export type Draw = (b: Binder, item: MimicItem, x: number, y: number) => SVGElement;
export interface SymbolDef {
  /** Its box; the name (up to two lines) goes below, within the width. */
  size: { w: number; h: number };
  draw: Draw;
}

export const SYMBOLS: Record<SymbolKind, SymbolDef> = {
  chiller: { size: CHILLER, draw: chiller },
  pump: { size: PUMP, draw: pump },
  'cooling-tower': { size: TOWER, draw: coolingTower },
  transformer: { size: TRANSFORMER, draw: transformer },
  incomer: { size: FEEDER, draw: feeder },
  feeder: { size: FEEDER, draw: feeder },
  'pressure-vessel': { size: VESSEL, draw: pressureVessel },
  'liquid-tank': { size: TANK, draw: liquidTank },
  'oxygen-station': { size: TANK, draw: liquidTank },
  vaporiser: { size: VAPORISER, draw: vaporiser },
  meter: { size: METER, draw: meter },
  boiler: { size: BOILER, draw: boiler },
  'heat-exchanger': { size: HEAT_EXCHANGER, draw: heatExchanger },
  'gas-meter': { size: GAS_METER, draw: gasMeter },
  'water-treatment': { size: WATER_TREATMENT, draw: waterTreatment },
  lift: { size: LIFT, draw: lift },
  device: { size: DEVICE, draw: device },
};

/** Room for a symbol's name below it (two lines). */
export const NAME_SPACE = 40;
