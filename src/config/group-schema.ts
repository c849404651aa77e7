/**
 * plantwatch.yaml `group:` — the hospital group's view, served by one gateway (usually the
 * main hospital's): the campuses it shows and the central broker it reads them from.
 */
import { z } from 'zod';
import { bilingual, lift } from './names.js';

const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a site id such as "main" or "east"');

/** A plain http(s) address, as a browser opens it. */
const dashboardUrl = z
  .string()
  .refine(
    (text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol),
    "the campus dashboard's address, such as http://10.30.1.5:8080",
  )
  .transform((text) => text.replace(/\/+$/, ''));

/**
 * How long a campus may stay silent: "90s", "5m" or milliseconds, as schema.ts's `duration`
 * (not imported: schema.ts imports this file, and a cycle would leave it undefined here).
 */
const silence = z.union([z.number().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `a duration such as "90s" or "5m" (got "${value}")` });
    return z.NEVER;
  }
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
});

export const groupSettings = z
  .strictObject({
    name: bilingual().default({ en: 'Hospital group', zh: '医院集团' }),
    /**
     * The central broker the campuses publish on, with an account that may read `<prefix>/#`.
     * Absent: the gateway's own broker (its embedded one, or its external one with its login).
     */
    broker: z
      .strictObject({
        url: z
          .string()
          .regex(/^(mqtts?|wss?|tcp):\/\//, 'a broker URL such as mqtts://mqtt.group.example:8883'),
        username: z.string().optional(),
        password: z.string().optional(),
      })
      .optional(),
    /** A campus not heard for this long is unknown (its summaries come every 30 s). */
    silentAfter: silence.default(90_000),
    campuses: z
      .array(
        z
          .strictObject({
            site: siteId,
            /** Shown until the campus's own summary names it. */
            name: bilingual().optional(),
            /** The campus's own dashboard: the group page links each campus and alarm there. */
            url: dashboardUrl.optional(),
          })
          .transform(lift('name')),
      )
      .min(1)
      .superRefine((campuses, ctx) => {
        const seen = new Set<string>();
        campuses.forEach((campus, i) => {
          if (seen.has(campus.site))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'site'],
              message: `campus "${campus.site}" is listed twice`,
            });
          seen.add(campus.site);
        });
      }),
  })
  .transform(lift('name'));
export type GroupSettings = z.infer<typeof groupSettings>;
