/**
 * config/maintenance.yaml: planned maintenance per device, by run hours (a pump's service
 * every N hours) or by calendar (a chiller's yearly service, an annual inspection). Due and
 * overdue tasks are listed in the dashboard and an overdue one raises a low-priority alarm.
 */
import { z } from 'zod';
import { PRIORITIES } from '../vocabulary/alarms.js';
import { bilingual, lift } from './names.js';
import { id } from './schema.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date "YYYY-MM-DD"');

const interval = z
  .strictObject({
    runHours: z.number().positive().optional(),
    days: z.number().int().positive().optional(),
    months: z.number().int().positive().optional(),
  })
  .refine((every) => Object.values(every).filter((v) => v !== undefined).length === 1, {
    message: 'exactly one of runHours, days or months, e.g. { months: 12 }',
  });

const taskFields = z.strictObject({
  id,
  device: id,
  /** In English, Chinese or both (names.ts): `title` plus `titleZh` once loaded. */
  title: bilingual(z.string().min(1), 'a title'),
  /** The team that does it; default the team that answers for the device's equipment. */
  team: id.optional(),
  every: interval,
  /** The run-hours counter point of the device (for `every.runHours`). */
  runHoursPoint: id.default('run_hours'),
  /** Listed as due this long before it is: run hours or days (default 10 % of the interval, 30 days). */
  warnBefore: z
    .strictObject({
      runHours: z.number().positive().optional(),
      days: z.number().int().positive().optional(),
    })
    .optional(),
  /** The last time it was done before Plantwatch kept the record. */
  lastDone: z.strictObject({ date, runHours: z.number().nonnegative().optional() }).optional(),
  /**
   * A due date a document sets (an inspection certificate valid until this date): the task is
   * not due before it, and from a completion recorded later, `every` after that completion.
   */
  due: date.optional(),
});
const task = taskFields
  .refine((task) => task.due === undefined || task.every.runHours === undefined, {
    message: 'due (a date) goes with a calendar interval, { days } or { months }, not runHours',
    path: ['due'],
  })
  .transform(lift('title'));

export const maintenanceFile = z.strictObject({
  /** Priority of the alarm raised while a device has an overdue task. */
  overduePriority: z.enum(PRIORITIES).default('low'),
  tasks: z.array(task).default([]),
});

export type MaintenanceSettings = z.infer<typeof maintenanceFile>;
export type MaintenanceTaskSettings = MaintenanceSettings['tasks'][number];
