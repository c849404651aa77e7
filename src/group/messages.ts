/**
 * What a campus gateway tells the group over the central broker, beside its points and alarm
 * states: its link (`<prefix>/<site>/link`, retained, the broker's last will says offline) and
 * its summary (`<prefix>/<site>/summary`, retained, every 30 s): devices, today's energy and
 * its months, as the campus computes them for its own pages.
 */
import { z } from 'zod';

export { linkTopic, summaryTopic } from '../vocabulary/group-topics.js';

export const linkMessage = z.object({ online: z.boolean(), at: z.number().optional() });
export type LinkMessage = z.infer<typeof linkMessage>;

const figure = z.number().nullable();
const energyFigures = {
  electricityKwh: figure,
  gasM3: figure,
  waterM3: figure,
  tce: figure,
};

export const campusSummary = z.object({
  v: z.literal(1),
  site: z.string().min(1),
  name: z.string(),
  nameZh: z.string().optional(),
  gateway: z.string(),
  /** The campus's clock when it was sent (epoch ms), and how often it sends one. */
  at: z.number(),
  everyMs: z.number().positive(),
  timezone: z.string(),
  devices: z.object({ total: z.number().int().min(0), down: z.number().int().min(0) }),
  areaM2: z.number().positive().nullable(),
  beds: z.number().int().positive().nullable(),
  /** Today so far (local day of the campus); null until first computed or when that failed. */
  today: z.object({ date: z.string(), asOf: z.number(), ...energyFigures }).nullable(),
  /** Each month from January of last year to this one (so far), when last computed. */
  months: z.object({
    asOf: z.number().nullable(),
    rows: z.array(z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), ...energyFigures })),
  }),
});
export type CampusSummary = z.infer<typeof campusSummary>;
export type EnergyFigures = Pick<CampusSummary['months']['rows'][number], keyof typeof energyFigures>;
