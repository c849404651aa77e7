// Scans from the admin page (login on, role admin): which Modbus units answer on a line, what
// they say they are, and the draft configuration to download (src/web/scan.ts, src/discovery/jobs.ts).
import { z } from 'zod';
import { type Answer, type Body, route } from './route.js';

export const SCAN_LIMITS = {
  units: { min: 1, max: 247 },
  delayMs: { min: 0, max: 5000, default: 100 },
  timeoutMs: { min: 50, max: 5000, default: 500 },
  retries: { min: 0, max: 3, default: 1 },
} as const;

const bounded = (limits: { min: number; max: number }, what: string) =>
  z
    .number({ error: `${what}: a whole number from ${limits.min} to ${limits.max}` })
    .int(`${what}: a whole number from ${limits.min} to ${limits.max}`)
    .min(limits.min, `${what}: at least ${limits.min}`)
    .max(limits.max, `${what}: at most ${limits.max}`);

const transport = z.enum(['tcp', 'rtu-over-tcp', 'rtu']);

export const newScan = z.strictObject({
  protocol: z.enum(['modbus']).default('modbus').describe('the only one yet'),
  where: z
    .string({ error: 'a configured line id, host:port, or a serial port such as /dev/ttyUSB0 (required)' })
    .trim()
    .min(1, 'a configured line id, host:port, or a serial port such as /dev/ttyUSB0 (required)')
    .max(200, 'at most 200 characters')
    .describe('a configured line id, host:port of a gateway, or a serial port (/dev/ttyUSB0, COM3)'),
  transport: transport
    .optional()
    .describe('for an address: tcp (default for host:port), rtu-over-tcp, or rtu (a serial port)'),
  units: z
    .string()
    .regex(/^\d{1,3}(-\d{1,3})?$/, 'a range of unit ids such as 1-32')
    .default('1-247')
    .describe('unit ids to probe, within 1-247'),
  delayMs: bounded(SCAN_LIMITS.delayMs, 'ms')
    .default(SCAN_LIMITS.delayMs.default)
    .describe("least time between requests; the line's silent interval is kept if longer"),
  timeoutMs: bounded(SCAN_LIMITS.timeoutMs, 'ms')
    .default(SCAN_LIMITS.timeoutMs.default)
    .describe('how long to wait for each answer'),
  retries: bounded(SCAN_LIMITS.retries, 'retries')
    .default(SCAN_LIMITS.retries.default)
    .describe('probes again of a silent unit before it counts as absent'),
  baudRate: z.number().int().min(300).max(921_600).optional().describe('a serial port: default 9600'),
  parity: z.enum(['none', 'even', 'odd']).optional(),
  dataBits: z.union([z.literal(7), z.literal(8)]).optional(),
  stopBits: z.union([z.literal(1), z.literal(2)]).optional(),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'an id of letters, digits, "-" or "_"')
    .optional()
    .describe("the line's id in the draft (default from the address)"),
});
export type NewScan = z.input<typeof newScan>;

export const scanState = z.enum(['running', 'done', 'failed', 'cancelled']);

export const foundUnit = z
  .object({
    unit: z.number().int().describe('the Modbus unit id'),
    answered: z.string().describe('how it answered the probe: "register read" or the exception'),
    vendor: z.string().nullable(),
    product: z.string().nullable(),
    revision: z.string().nullable(),
    missing: z.string().nullable().describe('why there is no identification (function 43/14), or null'),
  })
  .meta({ id: 'FoundUnit', description: 'A unit that answered a scan, and what it says it is' });

export const scanJob = z
  .object({
    id: z.string(),
    protocol: z.enum(['modbus']),
    where: z.string(),
    endpoint: z.string().describe('the address scanned, with its transport or baud rate'),
    transport,
    line: z.string().nullable().describe('the configured line scanned, or null for an address'),
    units: z.object({ from: z.number().int(), to: z.number().int() }),
    state: scanState,
    probed: z.number().int(),
    total: z.number().int(),
    found: z.array(foundUnit),
    startedBy: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    error: z.string().nullable(),
    warning: z
      .string()
      .nullable()
      .describe('every unit id answered alike: the far end answers for any unit id'),
    files: z.array(z.string()).describe("the draft's files, for GET …/draft?file="),
  })
  .meta({ id: 'ScanJob', description: 'A scan started from the admin page: its progress and results' });
export type ScanJobJson = z.infer<typeof scanJob>;

export const scanLine = z
  .object({
    id: z.string(),
    transport,
    endpoint: z.string(),
    refused: z.string().nullable().describe('why it cannot be scanned while the gateway runs, or null'),
  })
  .meta({ id: 'ScanLine', description: 'A configured line, as the scan form offers it' });
export type ScanLineJson = z.infer<typeof scanLine>;

export const scansRoute = route({
  method: 'get',
  path: '/api/config/scans',
  summary: 'The configured lines a scan may name, and the scans kept (running, and the latest finished)',
  access: 'config',
  response: z.object({ lines: z.array(scanLine), scans: z.array(scanJob) }),
});
export type ScansAnswer = Answer<typeof scansRoute>;

export const startScanRoute = route({
  method: 'post',
  path: '/api/config/scans',
  summary:
    'Start a scan (202); 409: the target is being scanned, or is a serial line the gateway polls; 400: bad input',
  access: 'config',
  status: 202,
  body: newScan,
  response: scanJob,
});
export type StartScanBody = Body<typeof startScanRoute>;

export const scanRoute = route({
  method: 'get',
  path: '/api/config/scans/:id',
  summary: "A scan's progress: units probed of the total, the units found so far, its state",
  access: 'config',
  response: scanJob,
});

export const cancelScanRoute = route({
  method: 'delete',
  path: '/api/config/scans/:id',
  summary: 'Stop a running scan; the units found so far are kept (a finished scan is left as it is)',
  access: 'config',
  response: scanJob,
});

export const scanDraftRoute = route({
  method: 'get',
  path: '/api/config/scans/:id/draft',
  summary: "One file of a scan's draft configuration, as an attachment (409: none yet)",
  access: 'config',
  query: z.object({ file: z.string().optional().describe("one of the scan's files (default the first)") }),
  response: z.string().describe('the YAML file'),
  produces: ['application/yaml'],
});

export const scanRoutes = [scansRoute, startScanRoute, scanRoute, cancelScanRoute, scanDraftRoute];
