// Scans from the admin page (login on, role admin): which Modbus units answer on a line, or which
// BACnet/IP devices on a port the gateway has open, what they say they are, and the draft
// configuration to download (src/web/scan.ts, src/discovery/jobs.ts).
import { z } from 'zod';
import { type Answer, type Body, route } from './route.js';

export const SCAN_LIMITS = {
  units: { min: 1, max: 247 },
  delayMs: { min: 0, max: 5000, default: 100 },
  timeoutMs: { min: 50, max: 5000, default: 500 },
  retries: { min: 0, max: 3, default: 1 },
} as const;

/** A BACnet/IP scan's bounds: the device instances, how long to collect I-Am answers, the pace. */
export const BACNET_SCAN_LIMITS = {
  instances: { min: 0, max: 4_194_302 },
  waitMs: { min: 100, max: 30_000, default: 3000 },
  delayMs: { min: 0, max: 5000, default: 20 },
  retries: { min: 0, max: 3, default: 1 },
  /** Texts in `addresses`, at most (each may be a list or a range: parseBacnetTargets bounds the addresses). */
  addressTexts: 64,
} as const;

const bounded = (limits: { min: number; max: number }, what: string) =>
  z
    .number({ error: `${what}: a whole number from ${limits.min} to ${limits.max}` })
    .int(`${what}: a whole number from ${limits.min} to ${limits.max}`)
    .min(limits.min, `${what}: at least ${limits.min}`)
    .max(limits.max, `${what}: at most ${limits.max}`);

const transport = z.enum(['tcp', 'rtu-over-tcp', 'rtu']);
const scanTransport = z.enum(['tcp', 'rtu-over-tcp', 'rtu', 'bacnet-ip']);
const protocol = z.enum(['modbus', 'bacnet']);

export const newScan = z.strictObject({
  protocol: z
    .literal('modbus')
    .default('modbus')
    .describe('modbus (the default), or bacnet: see NewBacnetScan'),
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

const portId = 'a BACnet/IP port id of plantwatch.yaml (bacnet.ports) (required)';

export const newBacnetScan = z
  .strictObject({
    protocol: z.literal('bacnet'),
    where: z
      .string({ error: portId })
      .trim()
      .min(1, portId)
      .max(64, 'at most 64 characters')
      .describe('the id of a BACnet/IP port in plantwatch.yaml (bacnet.ports) the gateway has open'),
    addresses: z
      .array(z.string().max(200, 'at most 200 characters'))
      .max(BACNET_SCAN_LIMITS.addressTexts, `at most ${BACNET_SCAN_LIMITS.addressTexts} texts`)
      .default([])
      .describe(
        'where to send Who-Is one by one: "10.1.0.21", "10.1.0.21:47809", a range "10.1.0.20-40", several ' +
          "separated by commas; none: a broadcast Who-Is to the port's broadcast address",
      ),
    instances: z
      .string()
      .regex(/^\d{1,7}(-\d{1,7})?$/, 'device instances such as 1000-2000')
      .optional()
      .describe(`only devices with an instance in this range, within 0-${BACNET_SCAN_LIMITS.instances.max}`),
    waitMs: bounded(BACNET_SCAN_LIMITS.waitMs, 'ms')
      .default(BACNET_SCAN_LIMITS.waitMs.default)
      .describe('how long to collect I-Am answers'),
    delayMs: bounded(BACNET_SCAN_LIMITS.delayMs, 'ms')
      .default(BACNET_SCAN_LIMITS.delayMs.default)
      .describe('least time between two requests to one device'),
    retries: bounded(BACNET_SCAN_LIMITS.retries, 'retries')
      .default(BACNET_SCAN_LIMITS.retries.default)
      .describe('asked again after a timeout'),
  })
  .meta({ id: 'NewBacnetScan', description: 'A BACnet/IP scan on a port the gateway has open' });
export type NewBacnetScan = z.input<typeof newBacnetScan>;

export const scanState = z.enum(['running', 'done', 'failed', 'cancelled']);

export const foundUnit = z
  .object({
    unit: z.number().int().describe('the Modbus unit id, or the BACnet device instance'),
    answered: z
      .string()
      .describe(
        'how it answered the probe: "register read" or the exception; BACnet: read-property-multiple or read-property',
      ),
    vendor: z.string().nullable(),
    product: z.string().nullable(),
    revision: z.string().nullable(),
    missing: z.string().nullable().describe('why there is no identification (function 43/14), or null'),
    address: z.string().optional().describe('BACnet: where the device answered ("ip" or "ip:port")'),
    name: z.string().nullable().optional().describe("BACnet: the device's object-name"),
    objects: z.number().int().optional().describe('BACnet: its point objects read'),
    objectCount: z.number().int().optional().describe("BACnet: its object-list's length"),
  })
  .meta({
    id: 'FoundUnit',
    description: 'A unit (a BACnet device) that answered a scan, and what it says it is',
  });

export const scanJob = z
  .object({
    id: z.string(),
    protocol,
    where: z.string(),
    endpoint: z
      .string()
      .describe(
        'the address scanned, with its transport or baud rate; BACnet: the port and where Who-Is went',
      ),
    transport: scanTransport,
    line: z
      .string()
      .nullable()
      .describe('the configured line (BACnet: port) scanned, or null for an address'),
    units: z
      .object({ from: z.number().int(), to: z.number().int() })
      .describe('the unit ids; BACnet: the device instances'),
    state: scanState,
    probed: z.number().int().describe('unit ids probed; BACnet: devices read (or given up) of the total'),
    total: z
      .number()
      .int()
      .describe('unit ids to probe; BACnet: the devices that answered Who-Is (0 before)'),
    found: z.array(foundUnit),
    startedBy: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    error: z.string().nullable(),
    warning: z
      .string()
      .nullable()
      .describe(
        'every unit id answered alike: the far end answers for any unit id; BACnet: the addresses and devices not read',
      ),
    files: z.array(z.string()).describe("the draft's files, for GET …/draft?file="),
  })
  .meta({ id: 'ScanJob', description: 'A scan started from the admin page: its progress and results' });
export type ScanJobJson = z.infer<typeof scanJob>;

export const scanLine = z
  .object({
    id: z.string(),
    protocol,
    transport: scanTransport,
    endpoint: z.string(),
    refused: z.string().nullable().describe('why it cannot be scanned while the gateway runs, or null'),
  })
  .meta({ id: 'ScanLine', description: 'A configured line or BACnet/IP port, as the scan form offers it' });
export type ScanLineJson = z.infer<typeof scanLine>;

export const scansRoute = route({
  method: 'get',
  path: '/api/config/scans',
  summary:
    'The configured lines and BACnet/IP ports a scan may name, and the scans kept (running, and the latest finished)',
  access: 'config',
  response: z.object({ lines: z.array(scanLine), scans: z.array(scanJob) }),
});
export type ScansAnswer = Answer<typeof scansRoute>;

export const startScanRoute = route({
  method: 'post',
  path: '/api/config/scans',
  summary:
    'Start a scan (202) of a Modbus line, or (protocol bacnet) of a BACnet/IP port; 409: the target is being scanned, ' +
    'is a serial line the gateway polls, or a port it has not opened; 400: bad input',
  access: 'config',
  status: 202,
  body: z.union([newScan, newBacnetScan]),
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
