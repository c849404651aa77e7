// The records API (/api/work-orders, /api/handovers, /api/maintenance, /api/operation-log,
// /api/assets): the JSON the gateway answers and takes. src/web/records.ts checks that these
// shapes are the records service's own types field for field, parses request bodies with the
// schemas below, and answers through the inferred types; the Records pages import the types.
import { z } from 'zod';
import { type Answer, type Body, route } from './route.js';

// ---- Shared pieces ----

const priority = z.enum(['critical', 'high', 'medium', 'low']);
/** Epoch milliseconds. */
const ms = z.number();
/** A text a person types: trimmed, not empty. */
const text = (max: number) => z.string().trim().min(1).max(max);
/** With login off, who acts (the dashboard's on-duty name); refused with login on. */
const user = text(100).optional();
/** A configured name's Chinese variant, when the configuration gives one. */
const zh = z.string().optional();

const csv = ['text/csv'];
const format = z.enum(['csv']).optional().describe('csv: the same table as a CSV download');
const limit = z.string().optional().describe('at most this many rows, newest first');
/** Query values arrive as text; these describe them for the OpenAPI document. */
const range = {
  from: z
    .string()
    .optional()
    .describe('"2026-11", "2026-11-25", "2026-11-25T06:30" (plant-local), "-30d" or epoch ms'),
  to: z.string().optional().describe('as from; exclusive'),
};

export const team = z.object({ id: z.string(), name: z.string(), nameZh: zh });
export type Team = z.infer<typeof team>;

// ---- Work orders ----

export const WORK_ORDER_SOURCES = ['alarm', 'hotline', 'patrol', 'other'] as const;
export const WORK_ORDER_STATUSES = ['open', 'accepted', 'on-site', 'completed', 'cancelled'] as const;
export const WORK_ORDER_ACTIONS = [
  'created',
  'accepted',
  'arrived',
  'completed',
  'cancelled',
  'commented',
] as const;

export const workOrderHistoryEntry = z.object({
  at: ms,
  user: z.string(),
  action: z.enum(WORK_ORDER_ACTIONS),
  comment: z.string().optional(),
});

/** A work order as stored (the service's WorkOrder). */
export const storedWorkOrder = z.object({
  id: z.number().int(),
  number: z.string().describe('"WO-2026-000123": the local year of creation and its sequence number'),
  title: z.string(),
  description: z.string().optional(),
  source: z.enum(WORK_ORDER_SOURCES),
  alarmId: z.string().optional(),
  device: z.string().optional(),
  site: z.string(),
  building: z.string().optional(),
  room: z.string().optional(),
  team: z.string(),
  priority,
  status: z.enum(WORK_ORDER_STATUSES),
  createdAt: ms,
  createdBy: z.string(),
  reporter: z.string().optional().describe("the caller's name or phone number (hotline orders)"),
  acceptedAt: ms.optional(),
  acceptedBy: z.string().optional(),
  arrivedAt: ms.optional(),
  completedAt: ms.optional(),
  completedBy: z.string().optional(),
  resolution: z.string().optional(),
  cancelledAt: ms.optional(),
  cancelledBy: z.string().optional(),
  cancelReason: z.string().optional(),
  history: z.array(workOrderHistoryEntry).describe('every step, oldest first'),
});

/** A work order as the API answers it: with its equipment's configured name. */
export const workOrder = storedWorkOrder
  .extend({ deviceName: z.string().optional(), deviceNameZh: zh })
  .meta({ id: 'WorkOrder', description: 'A work order with its history and its equipment’s name' });
export type WorkOrder = z.infer<typeof workOrder>;
export type WorkOrderStatus = WorkOrder['status'];

export const workOrderKpi = z
  .object({
    team: z.string(),
    teamName: z.string().optional(),
    teamNameZh: zh,
    month: z.string().describe('"YYYY-MM": the local month the orders were created in'),
    created: z.number(),
    completed: z.number(),
    cancelled: z.number(),
    open: z.number().describe('neither completed nor cancelled at the end of the range'),
    responseMedianMs: ms.nullable().describe('created → on site'),
    responseMeanMs: ms.nullable(),
    acceptMedianMs: ms.nullable().describe('created → accepted'),
    mttrMeanMs: ms.nullable().describe('created → completed'),
    mttrMedianMs: ms.nullable(),
    completedWithinTarget: z.number().optional(),
  })
  .meta({ id: 'WorkOrderKpi', description: "One team's work-order figures for one local month" });
export type WorkOrderKpi = z.infer<typeof workOrderKpi>;

export const newWorkOrder = z.strictObject({
  title: text(200).optional(),
  description: z.string().trim().max(4000).optional(),
  source: z.enum(WORK_ORDER_SOURCES).optional(),
  device: z.string().max(100).optional(),
  priority: priority.optional(),
  reporter: z.string().trim().max(200).optional(),
  team: z.string().max(100).optional(),
  alarmId: z.string().max(200).optional().describe('prefill from this alarm (one live order per alarm)'),
  user,
});

/** The steps of an order, each with what it needs said. */
export const workOrderSteps = {
  accept: z.strictObject({ user }),
  arrive: z.strictObject({ user }),
  complete: z.strictObject({ resolution: text(4000), user }),
  cancel: z.strictObject({ reason: text(2000), user }),
  comment: z.strictObject({ text: text(4000), user }),
} as const;
export type WorkOrderStep = keyof typeof workOrderSteps;

export const workOrdersRoute = route({
  method: 'get',
  path: '/api/work-orders',
  summary: 'Work orders, newest first',
  access: 'signed-in',
  query: z.object({
    status: z
      .string()
      .optional()
      .describe(`comma-separated: ${WORK_ORDER_STATUSES.join(', ')}`),
    team: z.string().optional(),
    device: z.string().optional(),
    alarm: z.string().optional(),
    ...range,
    limit,
    format,
  }),
  response: z.array(workOrder),
  produces: csv,
});

export const workOrderKpisRoute = route({
  method: 'get',
  path: '/api/work-orders/kpis',
  summary: "Each team's work-order figures per local month: counts, response and repair times",
  access: 'signed-in',
  query: z.object({ ...range, team: z.string().optional(), format }),
  response: z.array(workOrderKpi),
  produces: csv,
});

export const workOrderRoute = route({
  method: 'get',
  path: '/api/work-orders/:id',
  summary: 'One work order with its history',
  access: 'signed-in',
  response: workOrder,
});

export const newWorkOrderRoute = route({
  method: 'post',
  path: '/api/work-orders',
  summary: 'Open a work order (a hotline call, a patrol) or one from an alarm',
  access: 'records',
  body: newWorkOrder,
  response: workOrder,
  status: 201,
});

const stepRoute = <S extends WorkOrderStep>(step: S) =>
  route({
    method: 'post',
    path: `/api/work-orders/:id/${step}`,
    summary: `Work order step: ${step}`,
    access: 'records',
    body: workOrderSteps[step],
    response: workOrder,
  });

export const workOrderStepRoutes = {
  accept: stepRoute('accept'),
  arrive: stepRoute('arrive'),
  complete: stepRoute('complete'),
  cancel: stepRoute('cancel'),
  comment: stepRoute('comment'),
};

// ---- Shift handover ----

export const shiftWindow = z
  .object({
    shift: z.enum(['day', 'night', 'holiday']),
    period: z.enum(['day', 'night']),
    dutyDate: z.string().describe('"YYYY-MM-DD": the local date the shift is rostered on'),
    from: ms,
    to: ms,
  })
  .meta({ id: 'ShiftWindow', description: 'A rostered shift: its name, duty date and times' });
export type ShiftWindow = z.infer<typeof shiftWindow>;

export const handover = z
  .object({
    id: z.number().int(),
    team: z.string(),
    shift: z.enum(['day', 'night', 'holiday']),
    dutyDate: z.string(),
    shiftFrom: ms,
    shiftTo: ms,
    outgoingUser: z.string(),
    notes: z.string(),
    summary: z.unknown().describe('the shift as summarised when it was handed over'),
    submittedAt: ms,
    incomingUser: z.string().optional(),
    acceptedAt: ms.optional(),
    acceptComment: z.string().optional(),
  })
  .meta({ id: 'Handover', description: 'A shift handed over, and who took it over' });
export type Handover = z.infer<typeof handover>;

// ---- Maintenance ----

export const maintenanceTask = z.object({
  id: z.string(),
  device: z.string(),
  title: z.string(),
  titleZh: zh,
  team: z.string().optional(),
  every: z.union([
    z.object({ runHours: z.number() }),
    z.object({ days: z.number() }),
    z.object({ months: z.number() }),
  ]),
  runHoursPoint: z.string().optional(),
  warnBefore: z.object({ runHours: z.number().optional(), days: z.number().optional() }).optional(),
  lastDone: z.object({ date: z.string(), runHours: z.number().optional() }).optional(),
  due: z
    .string()
    .optional()
    .describe('a due date a document sets (a certificate valid until then), YYYY-MM-DD'),
});

/** A task's state as the service computes it (TaskStatus). */
export const storedTaskStatus = z.object({
  task: maintenanceTask,
  state: z.enum(['ok', 'due-soon', 'overdue', 'unknown']),
  lastDoneAt: ms.optional(),
  lastDoneBy: z.string().optional(),
  lastRunHours: z.number().optional(),
  dueAt: ms.optional().describe('start of the local due date (calendar tasks)'),
  dueRunHours: z.number().optional(),
  runHoursNow: z.number().optional(),
  remainingRunHours: z.number().optional(),
  remainingDays: z.number().optional(),
  message: z.string().describe('e.g. "Chiller 1 annual service (ch1): overdue by 12 days (due 2026-11-01)"'),
  messageZh: zh,
});

export const taskStatus = storedTaskStatus
  .extend({ deviceName: z.string().optional(), deviceNameZh: zh })
  .meta({
    id: 'MaintenanceTaskStatus',
    description: "A maintenance task's state: last done, due, remaining",
  });
export type TaskStatus = z.infer<typeof taskStatus>;
export type MaintenanceInterval = TaskStatus['task']['every'];

export const maintenanceRecord = z
  .object({
    id: z.number().int(),
    taskId: z.string(),
    device: z.string(),
    title: z.string().describe("the task's title when it was done"),
    doneAt: ms,
    doneBy: z.string(),
    runHours: z.number().optional(),
    notes: z.string().optional(),
    recordedAt: ms,
  })
  .meta({ id: 'MaintenanceRecord', description: 'Maintenance done: what, on which device, when, by whom' });
export type MaintenanceRecord = z.infer<typeof maintenanceRecord>;

export const completeTask = z.strictObject({
  runHours: z.number().nonnegative().optional(),
  notes: z.string().max(4000).optional(),
  at: z.number().int().positive().optional().describe('when it was done (default now)'),
  user,
});

// ---- Handover view (the current shift of a team) ----

export const handoverSummary = z.object({
  alarms: z.array(
    z.object({
      alarmId: z.string(),
      priority,
      message: z.string(),
      messageZh: zh,
      activatedAt: ms,
      acknowledgedAt: ms.optional(),
      acknowledgedBy: z.string().optional(),
    }),
  ),
  openAlarms: z.array(
    z.object({ id: z.string(), priority, message: z.string(), messageZh: zh, state: z.string(), since: ms }),
  ),
  workOrders: z.object({
    opened: z.array(storedWorkOrder),
    completed: z.array(storedWorkOrder),
    open: z.array(storedWorkOrder),
  }),
  maintenance: z.array(taskStatus),
});
export type HandoverSummary = z.infer<typeof handoverSummary>;

export const handoverView = z.object({
  team: z.string(),
  teams: z.array(team),
  shift: shiftWindow,
  summary: handoverSummary,
  handover: handover.nullable().describe("this shift's handover, if submitted"),
  pending: z.array(handover).describe('handovers of the team waiting to be accepted'),
  timezone: z.string().describe("the plant's IANA zone: shifts and record times are its local times"),
});
export type HandoverView = z.infer<typeof handoverView>;

export const currentHandoverRoute = route({
  method: 'get',
  path: '/api/handovers/current',
  summary: "A team's current shift: its summary, its handover and the handovers waiting",
  access: 'signed-in',
  query: z.object({ team: z.string().optional().describe('default: the first team') }),
  response: handoverView,
});

export const handoversRoute = route({
  method: 'get',
  path: '/api/handovers',
  summary: 'Past handovers, newest shift first',
  access: 'signed-in',
  query: z.object({ team: z.string().optional(), limit, format }),
  response: z.array(handover),
  produces: csv,
});

export const newHandover = z.strictObject({ team: text(100), notes: z.string().max(20_000), user });
export const acceptHandover = z.strictObject({ comment: z.string().max(2000).optional(), user });

export const newHandoverRoute = route({
  method: 'post',
  path: '/api/handovers',
  summary: "Submit (or, until accepted, correct) the current shift's handover",
  access: 'records',
  body: newHandover,
  response: handover,
  status: 201,
});

export const acceptHandoverRoute = route({
  method: 'post',
  path: '/api/handovers/:id/accept',
  summary: 'Accept a handover (not its author)',
  access: 'records',
  body: acceptHandover,
  response: handover,
});

export const maintenanceRoute = route({
  method: 'get',
  path: '/api/maintenance',
  summary: 'Every maintenance task with its state, last done and due',
  access: 'signed-in',
  query: z.object({ format }),
  response: z.array(taskStatus),
  produces: csv,
});

export const maintenanceHistoryRoute = route({
  method: 'get',
  path: '/api/maintenance/history',
  summary: 'Maintenance done, newest first',
  access: 'signed-in',
  query: z.object({ task: z.string().optional(), device: z.string().optional(), limit, format }),
  response: z.array(maintenanceRecord),
  produces: csv,
});

export const completeTaskRoute = route({
  method: 'post',
  path: '/api/maintenance/:task/complete',
  summary: 'Record a maintenance task done',
  access: 'records',
  body: completeTask,
  response: maintenanceRecord,
  status: 201,
});

// ---- Operation log ----

export const operationLog = z
  .object({
    device: z.string(),
    deviceName: z.string(),
    deviceNameZh: zh,
    equipment: z.string(),
    building: z.string(),
    room: z.string(),
    buildingName: z.string().optional(),
    buildingNameZh: zh,
    roomName: z.string().optional(),
    roomNameZh: zh,
    shift: z.object({ from: ms, to: ms, label: z.string() }),
    running: z
      .object({
        runHours: z.number().nullable(),
        meterRunHours: z.number().nullable(),
        starts: z.number(),
        stops: z.number(),
      })
      .nullable()
      .describe('null for a device without a running point'),
    values: z.array(
      z.object({
        point: z.string(),
        label: z.string(),
        labelZh: zh,
        unit: z.string(),
        min: z.number().nullable(),
        max: z.number().nullable(),
        mean: z.number().nullable(),
        samples: z.number(),
      }),
    ),
    counters: z.array(
      z.object({
        point: z.string(),
        label: z.string(),
        labelZh: zh,
        unit: z.string(),
        first: z.number().nullable(),
        last: z.number().nullable(),
        rise: z.number().nullable(),
      }),
    ),
    alarms: z.array(
      z.object({
        alarmId: z.string(),
        priority,
        message: z.string(),
        messageZh: zh,
        activatedAt: ms,
        acknowledgedAt: ms.optional(),
        acknowledgedBy: z.string().optional(),
        comment: z.string().optional(),
        returnedAt: ms.optional(),
        clearedAt: ms.optional(),
      }),
    ),
    dataCoverage: z.number().describe('share (0..1) of the shift covered by samples'),
  })
  .meta({ id: 'OperationLog', description: "One equipment's operation log of one shift" });
export type OperationLog = z.infer<typeof operationLog>;

export const operationLogRoute = route({
  method: 'get',
  path: '/api/operation-log',
  summary: "Each equipment's operation log of a shift: running, values, counters, alarms",
  access: 'signed-in',
  query: z.object({
    date: z.string().optional().describe('"YYYY-MM-DD" (default: the shift going on now)'),
    shift: z.enum(['day', 'night']).optional(),
    device: z.string().optional().describe('one device id or a comma-separated list'),
    room: z.string().optional().describe('every device of this room ("site/building/room" or its id)'),
    format,
  }),
  response: z.object({ shift: shiftWindow, logs: z.array(operationLog) }),
  produces: csv,
});

// ---- Asset ledger ----

export const asset = z
  .object({
    device: z.string(),
    name: z.string(),
    nameZh: zh,
    equipment: z.string(),
    profile: z.string(),
    assetNumber: z.string().optional(),
    maker: z.string().optional(),
    model: z.string().optional(),
    installed: z.string().optional(),
    serial: z.string().optional(),
    critical: z.boolean(),
    location: z.object({
      site: z.string(),
      building: z.string(),
      room: z.string(),
      siteName: z.string(),
      siteNameZh: zh,
      buildingName: z.string(),
      buildingNameZh: zh,
      roomName: z.string(),
      roomNameZh: zh,
      detail: z.string().optional(),
    }),
    url: z.string().describe("the device's page in the dashboard (the label's QR code)"),
  })
  .meta({ id: 'Asset', description: "One equipment's entry in the asset ledger" });
export type Asset = z.infer<typeof asset>;

export const assetsRoute = route({
  method: 'get',
  path: '/api/assets',
  summary: 'The asset ledger: every enabled device',
  access: 'signed-in',
  query: z.object({ format }),
  response: z.array(asset),
  produces: csv,
});

export const assetLabelRoute = route({
  method: 'get',
  path: '/api/assets/:device/label.svg',
  summary: "A device's 62 × 29 mm label: QR code to its page, asset number, name, location",
  access: 'signed-in',
  query: z.object({
    lang: z.enum(['en', 'zh']).optional().describe("zh: the configured names' Chinese variants"),
  }),
  response: z.string().describe('SVG'),
  produces: ['image/svg+xml'],
});

export const recordsRoutes = [
  workOrdersRoute,
  workOrderKpisRoute,
  workOrderRoute,
  newWorkOrderRoute,
  ...Object.values(workOrderStepRoutes),
  currentHandoverRoute,
  handoversRoute,
  newHandoverRoute,
  acceptHandoverRoute,
  maintenanceRoute,
  maintenanceHistoryRoute,
  completeTaskRoute,
  operationLogRoute,
  assetsRoute,
  assetLabelRoute,
];

export type NewWorkOrder = Body<typeof newWorkOrderRoute>;
export type OperationLogAnswer = Answer<typeof operationLogRoute>;
