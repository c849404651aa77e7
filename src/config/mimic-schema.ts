/**
 * What the plant mimics need beyond the devices and the metering tree, all optional: a pump's
 * duty and a breaker's rating (a device's `mimic`), and per room (site.yaml's room `mimic`)
 * passive equipment with no device of its own (cooling towers, vaporisers, a pressure vessel),
 * a pump room's pressure setpoint, and symbols placed by hand.
 */
import { z } from 'zod';
import { passiveKinds, pumpDuties } from '../vocabulary/mimic.js';
import { bilingual, lift } from './names.js';

// schema.ts's id, repeated: schema.ts imports this module, so this one cannot import it back.
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'an id of letters, digits, "-" or "_" (no spaces, dots or slashes)');

/** A device's place in its room's mimic. */
export const deviceMimic = z.strictObject({
  /** Which loop a pump serves: chilled-water, condenser-water, booster, heating, other. */
  duty: z.enum(pumpDuties).optional(),
  /** The breaker's rated current in A (an incomer's or a feeder's): its loading is drawn against it. */
  ratingA: z.number().positive('a current in A, above 0').optional(),
});

const passiveItem = z
  .strictObject({
    id,
    kind: z.enum(passiveKinds),
    name: bilingual(),
    /** A transformer's rating. */
    ratedKva: z.number().positive().optional(),
  })
  .transform(lift('name'));

/** A point of a device: "device.point". */
const POINT = /^[A-Za-z0-9][A-Za-z0-9_-]*\.[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SETPOINT =
  'a pressure in bar, or the point "device.point" that holds it (e.g. 4.5 or "pbw1.setpoint_bar")';

/** Drawing units from the top-left corner. */
const position = z.number().min(0, 'a position of at least 0 (drawing units from the top-left corner)');

/** A room's mimic settings (site.yaml, a room's `mimic`). */
export const roomMimic = z.strictObject({
  /** Equipment drawn with no device of its own: cooling towers, vaporisers, a pressure vessel. */
  equipment: z.array(passiveItem).default([]),
  /** A pump room's outlet pressure setpoint (bar): a number, or the point that holds it. */
  setpoint: z.union([z.number().positive(SETPOINT), z.string().regex(POINT, SETPOINT)]).optional(),
  /** Symbols placed by hand: a device's or passive item's id → its top-left corner { x, y }. */
  layout: z.record(id, z.strictObject({ x: position, y: position })).default({}),
});

export type DeviceMimic = z.infer<typeof deviceMimic>;
export type RoomMimic = z.infer<typeof roomMimic>;
