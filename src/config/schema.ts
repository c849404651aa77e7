/**
 * The shape of a Plantwatch configuration directory, as validated data.
 * Every object is strict: an unknown key is an error, because a misspelt key
 * silently ignored is how a plant ends up unmonitored.
 */
import { z } from 'zod';
import { PRIORITIES } from '../vocabulary/alarms.js';
import {
  BACNET_PORT_DEFAULT,
  bacnetAddress,
  bacnetMac,
  bacnetObject,
  bacnetProperty,
  MAX_INSTANCE,
} from './bacnet-schema.js';
import { groupSettings } from './group-schema.js';
import { deviceMimic, roomMimic } from './mimic-schema.js';
import { bilingual, lift } from './names.js';

export const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'an id of letters, digits, "-" or "_" (no spaces, dots or slashes)');

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "2s", "1m", "1h" or a number of milliseconds. */
export const duration = z.union([z.number().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `a duration such as "500ms", "2s", "1m" (got "${value}")` });
    return z.NEVER;
  }
  return Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
});

/**
 * A wait the gateway sets a timer for (escalation, digest, flush): Node fires timers longer
 * than 2³¹ ms (about 24.8 days) at once, so longer ones are refused.
 */
export const timerDuration = duration.refine(
  (ms) => ms <= 24 * 86_400_000,
  'at most 24 days (a longer wait does not fit a timer)',
);

/** A local time of day on the 24-hour clock. */
export const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time "HH:MM" on the 24-hour clock, e.g. "08:00"');

/** An IANA time zone name, checked against the zones this Node knows. */
export const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Asia/Shanghai" or "Europe/London"');

/** A port number; digits in a string are accepted so ports can come from "${ENV:-1883}". */
const port = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number().int().min(0).max(65535),
);

// ---------------------------------------------------------------- site

export const roomKinds = [
  'distribution-room',
  'pump-room',
  'chiller-plant',
  'oxygen-station',
  'boiler-room',
  'heat-station',
  'water-meter-point',
  'operating-theatre',
  'elevator-machine-room',
  'other',
] as const;

/** A configured name, in English, Chinese or both (names.ts): `name` plus `nameZh` once loaded. */
const name = bilingual();

const roomFields = z.strictObject({
  id,
  name,
  kind: z.enum(roomKinds),
  /** Rated capacity of a distribution room, for headroom reports. */
  ratedKva: z.number().positive().optional(),
  /** The room's mimic: passive equipment, setpoint, symbols placed by hand (mimic-schema.ts). */
  mimic: roomMimic.optional(),
});
const room = roomFields.transform(lift('name'));

const buildingFields = z.strictObject({
  id,
  name,
  areaM2: z.number().positive().optional(),
  beds: z.number().int().nonnegative().optional(),
  rooms: z.array(room).default([]),
});
const building = buildingFields.transform(lift('name'));

const siteFields = z.strictObject({
  id,
  name,
  buildings: z.array(building).min(1),
});
const site = siteFields.transform(lift('name'));

export const siteFile = z.strictObject({ sites: z.array(site).min(1) });

// ---------------------------------------------------------------- lines (Modbus transports)

const lineCommon = {
  id,
  name: bilingual().optional(),
  /** How long to wait for one response. */
  timeout: duration.default(1000),
  /** Extra attempts of a failed request before the device is marked comm-error. */
  retries: z.number().int().min(0).max(5).default(1),
  /** Silent interval kept between frames (RS-485 turnaround; some gateways need it too). */
  interFrameDelay: duration.or(z.literal(0)).default(0),
  /** Reconnect / dead-unit backoff: first wait, doubled up to max. */
  backoff: z
    .strictObject({ initial: duration.default(1000), max: duration.default(30_000) })
    .default({ initial: 1000, max: 30_000 }),
};

const tcpLine = z.strictObject({
  ...lineCommon,
  transport: z.literal('tcp'),
  host: z.string().min(1),
  port: port.default(502),
  /**
   * Requests sent without waiting for the answers before them (Modbus TCP matches answers by
   * transaction id). 1, the default, asks one at a time, which every device accepts. Many
   * gateways queue several per connection (see the device's manual): then the units behind
   * one connection are polled together and their requests leave in one write.
   */
  maxInFlight: z.number().int().min(1).max(64).default(1),
});

/** RTU frames carry no transaction id to match an answer to its request: one at a time. */
const oneAtATime = {
  maxInFlight: z
    .undefined({ error: 'only for transport: tcp (RTU frames carry no transaction id to match answers by)' })
    .optional(),
};

const rtuOverTcpLine = z.strictObject({
  ...lineCommon,
  ...oneAtATime,
  transport: z.literal('rtu-over-tcp'),
  host: z.string().min(1),
  port: port.default(502),
  /** Baud rate of the RS-485 segment behind the gateway, for utilisation figures. */
  baudRate: z.number().int().positive().optional(),
});

const rtuLine = z.strictObject({
  ...lineCommon,
  ...oneAtATime,
  transport: z.literal('rtu'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const modbusLine = z
  .discriminatedUnion('transport', [tcpLine, rtuOverTcpLine, rtuLine])
  .transform(lift('name'));
export const linesFile = z.strictObject({ lines: z.array(modbusLine).default([]) });

// ---------------------------------------------------------------- profiles

export const dataTypes = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'int64',
  'uint64',
  'float64',
  'bool',
] as const;
export const wordOrders = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export const registerTables = ['holding', 'input', 'coil', 'discrete'] as const;

const pointCommon = {
  name: id,
  label: bilingual(z.string().min(1), 'a label').optional(),
  unit: z.string().default(''),
  scale: z.number().default(1),
  offset: z.number().default(0),
  /** Values outside [min, max] get quality out-of-range: a sensor fault, not a plant state. */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** A counter (kWh, m³, run hours): never decreases except on rollover/reset. */
  counter: z.boolean().default(false),
  /** Signal kind, used by alarm defaults and the dashboard: analog value or a digital state. */
  kind: z.enum(['analog', 'state']).optional(),
};

const modbusPointFields = z.strictObject({
  ...pointCommon,
  table: z.enum(registerTables),
  /** Protocol (0-based) address: manual register 40001 is table holding, address 0 (see config/README.md). */
  address: z.number().int().min(0).max(65535),
  type: z.enum(dataTypes).default('uint16'),
  order: z.enum(wordOrders).default('ABCD'),
  /** A single bit of a register (0 = least significant): status and fault words. */
  bit: z.number().int().min(0).max(15).optional(),
  /**
   * Points this one deliberately reads the same registers as (a status word and a bit of it,
   * one register scaled two ways). Any other overlap is an error: it is usually a typo'd address.
   */
  shares: z.array(id).optional(),
  /** Name of the poll group (period) this point is read with. */
  poll: id.default('default'),
});
const modbusPoint = modbusPointFields.transform(lift('label'));

const mqttPointFields = z.strictObject({
  ...pointCommon,
  /** Dot path of the value in the JSON payload, e.g. "meter.total_m3"; "." for a bare number. */
  json: z.string().min(1),
});
const mqttPoint = mqttPointFields.transform(lift('label'));

const profileCommon = {
  id,
  name,
  /** What kind of equipment: drives the simulator's physics and the dashboard's mimics. */
  equipment: z.enum([
    'chiller',
    'pump',
    'power-meter',
    'water-meter',
    'oxygen-station',
    'weather-station',
    'air-handling-unit',
    'elevator',
    'boiler',
    'heat-exchanger',
    'water-treatment',
    'gas-meter',
    'other',
  ]),
  maker: z.string().optional(),
  model: z.string().optional(),
};

const modbusProfileFields = z.strictObject({
  ...profileCommon,
  protocol: z.literal('modbus'),
  /** Poll period of each group named by the points' `poll`. */
  pollGroups: z.record(id, duration).default({ default: 5000 }),
  /** Longest block this device accepts in one read (some meters reject long reads). */
  maxBlockRegisters: z.number().int().min(1).max(125).default(125),
  maxBlockBits: z.number().int().min(1).max(2000).default(2000),
  /** Largest hole of unused addresses worth reading through to save a request. */
  maxGap: z.number().int().min(0).max(124).default(10),
  points: z.array(modbusPoint).min(1),
});
export const modbusProfile = modbusProfileFields.transform(lift('name'));

const mqttProfileFields = z.strictObject({
  ...profileCommon,
  protocol: z.literal('mqtt'),
  /** After this long without a message every point of the device becomes stale. */
  staleAfter: duration.default(120_000),
  /** JSON dot path of the reading's timestamp (ISO string or epoch ms); arrival time if absent. */
  timestamp: z.string().optional(),
  /** A reading stamped further ahead of the gateway's clock is refused (quality bad-timestamp). */
  maxClockSkew: duration.default(300_000),
  points: z.array(mqttPoint).min(1),
});
export const mqttProfile = mqttProfileFields.transform(lift('name'));

const bacnetPointFields = z.strictObject({
  ...pointCommon,
  /** The object, "<type>:<instance>": "analog-input:3", "AI3", "binary-value:12". */
  object: bacnetObject,
  /** The property read: present-value unless told (e.g. relinquish-default, a setpoint's). */
  property: bacnetProperty.default(85),
  /** Name of the poll group (period) this point is read with. */
  poll: id.default('default'),
  /**
   * Subscribe to its changes (SubscribeCOV) instead of polling it, where the device supports
   * COV; polled at its group's period while no subscription holds.
   */
  cov: z.boolean().default(false),
});
const bacnetPoint = bacnetPointFields.transform(lift('label'));

const bacnetProfileFields = z.strictObject({
  ...profileCommon,
  protocol: z.literal('bacnet'),
  /** Poll period of each group named by the points' `poll`. */
  pollGroups: z.record(id, duration).default({ default: 5000 }),
  /** A COV subscription's lifetime: renewed before it runs out, and after the device comes back. */
  covLifetime: duration
    .refine((ms) => ms >= 60_000 && ms <= 24 * 3_600_000, 'from 1m to 24h')
    .default(300_000),
  /** Ask for confirmed notifications (each acknowledged; a lost one is sent again by the device). */
  covConfirmed: z.boolean().default(false),
  /**
   * Objects asked for in one ReadPropertyMultiple, at most: for a device whose answers are
   * refused or cut although its max-APDU says they fit. Absent: as many as its max-APDU takes.
   */
  maxObjectsPerRequest: z.number().int().min(1).max(500).optional(),
  points: z.array(bacnetPoint).min(1),
});
export const bacnetProfile = bacnetProfileFields.transform(lift('name'));

export const profileFile = z.discriminatedUnion('protocol', [modbusProfile, mqttProfile, bacnetProfile]);

// ---------------------------------------------------------------- devices

/** MQTT topics under <prefix>/<site>/ that are not devices: a device may not take their names. */
export const RESERVED_TOPIC_NAMES = ['alarms', 'alarm-events', 'notifications'] as const;

const deviceCommon = {
  id: id.refine(
    (value) => !(RESERVED_TOPIC_NAMES as readonly string[]).includes(value),
    `not one of ${RESERVED_TOPIC_NAMES.join(', ')} (MQTT topics the gateway uses for itself)`,
  ),
  name,
  profile: id,
  site: id,
  building: id,
  room: id,
  /** Asset ledger entries, kept with the device. */
  asset: z
    .strictObject({
      number: z.string().optional(),
      maker: z.string().optional(),
      model: z.string().optional(),
      installed: z.string().optional(),
      serial: z.string().optional(),
      /** Where exactly in the room (panel, bay, floor), beyond site/building/room. */
      location: z.string().optional(),
    })
    .optional(),
  /** A critical device's comm-loss is a critical alarm (oxygen, incomers). */
  critical: z.boolean().default(false),
  enabled: z.boolean().default(true),
  /** A pump's duty, a breaker's rating: how it is drawn on its room's mimic (mimic-schema.ts). */
  mimic: deviceMimic.optional(),
};

const modbusDeviceFields = z.strictObject({
  ...deviceCommon,
  modbus: z.strictObject({ line: id, unitId: z.number().int().min(0).max(255).default(1) }),
});
const modbusDevice = modbusDeviceFields.transform(lift('name'));

const mqttDeviceFields = z.strictObject({
  ...deviceCommon,
  mqtt: z.strictObject({
    topic: z
      .string()
      .min(1)
      .refine((t) => !/[#+]/.test(t), 'a topic without wildcards'),
  }),
});
const mqttDevice = mqttDeviceFields.transform(lift('name'));

const bacnetDeviceFields = z.strictObject({
  ...deviceCommon,
  bacnet: z.strictObject({
    /** Which of plantwatch.yaml's bacnet.ports (may be left out when there is one). */
    port: id.optional(),
    /** The device object's instance number: what names the device on the whole internetwork. */
    instance: z
      .number()
      .int()
      .min(0, `a device instance from 0 to ${MAX_INSTANCE}`)
      .max(MAX_INSTANCE, `a device instance from 0 to ${MAX_INSTANCE}`),
    /** Its IP address ("10.1.0.21", "10.1.0.21:47809"); found by Who-Is when left out. */
    address: bacnetAddress.optional(),
    /** Behind a BACnet router (MS/TP, another network): the remote network number… */
    network: z.number().int().min(1).max(65534).optional(),
    /** …and the station's address on it, in hex ("05" for MS/TP station 5). */
    mac: bacnetMac.optional(),
    /** How long one request waits for its answer (default: the port's apduTimeout). */
    timeout: duration.optional(),
  }),
});
const bacnetDevice = bacnetDeviceFields
  .superRefine((device, ctx) => {
    if (device.bacnet.mac !== undefined && device.bacnet.network === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['bacnet', 'mac'],
        message: 'a station address behind a router needs the remote `network` number too',
      });
  })
  .transform(lift('name'));

export const device = z.union([modbusDevice, mqttDevice, bacnetDevice]);
export const devicesFile = z.strictObject({ devices: z.array(device).default([]) });

// ---------------------------------------------------------------- gateway settings

const mqttUser = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
  /**
   * Topic filters this user may publish / subscribe to (MQTT wildcards allowed); none when
   * left out. Nobody but the gateway publishes under the republish prefix, whatever these say.
   */
  publish: z.array(z.string()).default([]),
  subscribe: z.array(z.string()).default([]),
});

const embeddedBroker = z.strictObject({
  mode: z.literal('embedded'),
  /** This machine only unless the site says otherwise: meters on the network need `host: 0.0.0.0`. */
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(1883),
  users: z.array(mqttUser).default([]),
  /** Allow clients without credentials (subscribe only, to the republished topics). */
  allowAnonymousRead: z.boolean().default(false),
  /**
   * Largest packet (bytes, fixed header included) a logged-in client may send; a larger one
   * closes its connection before it is buffered. A meter's reading is under 1 kB: 256 kB leaves
   * a bridge room to batch, and bounds what one connection makes the gateway hold.
   */
  maxPacketSize: z
    .number()
    .int()
    .min(1024, 'a size in bytes from 1024 (a login must fit) to 268435455 (the MQTT maximum)')
    .max(268_435_455, 'a size in bytes from 1024 (a login must fit) to 268435455 (the MQTT maximum)')
    .default(262_144),
  /** Connections open at once, in all and from one address: each may hold up to maxPacketSize. */
  maxConnections: z.number().int().min(1).default(500),
  maxConnectionsPerAddress: z.number().int().min(1).default(50),
  /** A client not logged in (CONNECT answered) this long after connecting is closed. */
  connectTimeout: timerDuration.default(10_000),
});

const externalBroker = z.strictObject({
  mode: z.literal('external'),
  url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'a broker URL such as mqtt://host:1883'),
  username: z.string().optional(),
  password: z.string().optional(),
  clientId: z.string().optional(),
});

/** An InfluxQL duration (InfluxDB refuses retention and shard durations under an hour). */
const influxDuration = z
  .string()
  .regex(/^[1-9]\d*(h|d|w)$/, 'an InfluxDB duration of at least 1h, such as "720h", "90d" or "12w"');
const influxRetention = z
  .string()
  .regex(
    /^(INF|[1-9]\d*(h|d|w))$/,
    'an InfluxDB duration of at least 1h, such as "720h", "90d" or "12w", or "INF" (kept forever)',
  );

/** Certificate text, as `${file:...}` reads it from a .pem file. */
const pemCertificate = z.string().refine(
  (text) => text.includes('-----BEGIN CERTIFICATE-----'),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own ${file:…} syntax.
  'PEM certificate text, e.g. ca: "${file:/etc/plantwatch/influx-ca.pem}" (a bare path is not read)',
);

/** The InfluxDB 1.x store (storage.influxdb); its defaults when the key is absent. */
export const influxdbSettings = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8086),
    /** https for a central server across the network. */
    protocol: z.enum(['http', 'https']).default('http'),
    /** The CA that signed the server's certificate (PEM text); the system's CAs when absent. */
    ca: pemCertificate.optional(),
    /** false: encrypted, but anyone on the path can pose as the server. */
    verifyTls: z.boolean().default(true),
    database: z.string().min(1).default('plantwatch'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** Retention policies raw, rollup_1m and rollup_1h: altered only when they differ. */
    rawRetention: influxRetention.default('90d'),
    rollup1mRetention: influxRetention.default('400d'),
    rollup1hRetention: influxRetention.default('INF'),
    /** Shard group durations: set and compared only when given. */
    rawShardDuration: influxDuration.optional(),
    rollup1mShardDuration: influxDuration.optional(),
    rollup1hShardDuration: influxDuration.optional(),
  })
  .superRefine((influx, ctx) => {
    if (influx.protocol === 'https') return;
    if (influx.ca !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ca'], message: 'only used with protocol: https' });
    }
    if (!influx.verifyTls) {
      ctx.addIssue({ code: 'custom', path: ['verifyTls'], message: 'only used with protocol: https' });
    }
  });

const gatewaySections = z.strictObject({
  gateway: z
    .strictObject({ name: z.string().default('plantwatch'), site: id.optional() })
    .default({ name: 'plantwatch' }),
  web: z
    .strictObject({
      /**
       * Where the dashboard listens: this machine only (127.0.0.1) unless the site says so, e.g.
       * `0.0.0.0` for every address; listening on the hospital's network is a choice written down.
       */
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8080),
      /**
       * The dashboard's address as the hospital's PCs and phones open it (http://10.20.1.5:8080,
       * https://plant.example.cn/plantwatch): e-mails and chat posts link to the alarm there.
       */
      publicUrl: z
        .string()
        .transform((text, ctx) => {
          const url = URL.canParse(text) ? new URL(text) : undefined;
          const plain = url && /^https?:$/.test(url.protocol) && !url.search && !url.hash && !url.username;
          if (!plain || url.password) {
            ctx.addIssue({
              code: 'custom',
              message: `the dashboard's address such as "http://10.20.1.5:8080" (http(s)://host[:port][/path], no query; got "${text}")`,
            });
            return z.NEVER;
          }
          return url.href.replace(/\/+$/, '');
        })
        .optional(),
      /**
       * With login on (auth.enabled), /metrics needs a signed-in user like the API, which a
       * Prometheus scraper is not; true serves it to anyone who can reach the port.
       */
      metricsPublic: z.boolean().default(false),
      /**
       * Origins besides the gateway's own that may post to the API: the addresses browsers
       * use through a reverse proxy that does not pass the Host on (src/web/csrf.ts).
       */
      allowedOrigins: z
        .array(
          z.string().superRefine((text, ctx) => {
            const url = URL.canParse(text) ? new URL(text) : undefined;
            const origin = url && /^https?:$/.test(url.protocol) ? url.origin : undefined;
            // "https://host[:port]" only: a path, query, user or other scheme is no origin.
            if (!origin || url?.href.replace(/\/$/, '') !== origin)
              ctx.addIssue({
                code: 'custom',
                message: `an origin such as "https://plant.example.cn" (http(s)://host[:port], no path; got "${text}")`,
              });
          }),
        )
        .default([]),
      /**
       * Whose X-Forwarded-Proto / -Host / -For to believe (express "trust proxy"): false, true,
       * a hop count, or the TLS proxy's addresses ("loopback", "10.0.0.5", "10.0.0.0/24", …).
       */
      trustProxy: z
        .union([
          z.boolean(),
          z.number().int().min(0),
          z.string().superRefine((text, ctx) => {
            const named = /^(loopback|linklocal|uniquelocal)$/;
            const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
            const isAddress = (a: string) =>
              ipv4.test(a) || (a.includes(':') && URL.canParse(`http://[${a}]`));
            const bad = text
              .split(',')
              .map((entry) => entry.trim())
              .filter((entry) => {
                const [address = '', prefix, ...rest] = entry.split('/');
                const prefixOk = prefix === undefined || /^\d{1,3}$/.test(prefix) || ipv4.test(prefix);
                return (
                  !(named.test(address) && prefix === undefined) &&
                  !(isAddress(address) && prefixOk && !rest.length)
                );
              });
            if (bad.length > 0)
              ctx.addIssue({
                code: 'custom',
                message: `true, a hop count, or addresses such as "loopback", "10.0.0.5", "10.0.0.0/24" (got "${bad.join(',')}")`,
              });
          }),
        ])
        .default(false),
    })
    .prefault({}),
  /**
   * MQTT meters, republished points and alarms. Absent: no MQTT at all (no broker opened, no
   * connection made); a port is opened on purpose, never by default.
   */
  mqtt: z
    .strictObject({
      broker: z.discriminatedUnion('mode', [embeddedBroker, externalBroker]),
      /** Every point and alarm published under the prefix, for other clients (BMS, mosquitto_sub). */
      republish: z
        .strictObject({
          enabled: z.boolean().default(true),
          prefix: z.string().default('plantwatch'),
          retain: z.boolean().default(true),
          /**
           * How often the campus summary (`<prefix>/<site>/summary`: devices, today's energy,
           * months) is published for the group view; its link state is set at once.
           */
          summaryEvery: timerDuration.default(30_000),
        })
        .default({ enabled: true, prefix: 'plantwatch', retain: true, summaryEvery: 30_000 }),
    })
    .optional(),
  /**
   * BACnet/IP: the UDP ports the gateway opens. Absent: no BACnet at all. Several ports serve
   * several IP networks or a second BACnet/IP network on its own UDP port (47809, …).
   */
  bacnet: z
    .strictObject({
      ports: z
        .array(
          z.strictObject({
            id,
            /** The address to bind: 0.0.0.0 (every interface) hears broadcast Who-Is and I-Am. */
            interface: z.string().min(1).default('0.0.0.0'),
            udpPort: port.default(BACNET_PORT_DEFAULT),
            /** Where Who-Is goes: the subnet's broadcast, e.g. 10.1.255.255. */
            broadcastAddress: z.string().min(1).default('255.255.255.255'),
            /** How long one request waits for its answer (BACnet's APDU timeout). */
            apduTimeout: duration.default(3000),
            /** Who-Is again this often, for devices whose address is not given and devices that moved. */
            rediscover: duration.default(600_000),
            /**
             * A BBMD to register with as a foreign device, for devices on other IP subnets: its
             * address, and the registration's time-to-live (registered again before it runs out).
             */
            bbmd: z
              .strictObject({
                address: bacnetAddress,
                ttl: duration
                  .refine((ms) => ms >= 30_000 && ms <= 65_535_000, 'from 30s to 65535s')
                  .default(600_000),
              })
              .optional(),
          }),
        )
        .min(1),
    })
    .optional(),
  storage: z
    .strictObject({
      backend: z.enum(['sqlite', 'influxdb']).default('sqlite'),
      /** The embedded store: a file, relative to where the gateway runs. */
      sqlite: z
        .strictObject({
          path: z.string().min(1).default('data/plantwatch.db'),
          /** Raw samples, then 1-minute rollups, are deleted after these; 1-hour rollups are kept. */
          rawRetention: duration.default(90 * 86_400_000),
          rollup1mRetention: duration.default(400 * 86_400_000),
        })
        .default({
          path: 'data/plantwatch.db',
          rawRetention: 90 * 86_400_000,
          rollup1mRetention: 400 * 86_400_000,
        }),
      influxdb: influxdbSettings.optional(),
      batch: z
        .strictObject({ maxPoints: z.number().int().min(1).default(5000), maxDelay: duration.default(1000) })
        .default({ maxPoints: 5000, maxDelay: 1000 }),
      /** Store-and-forward: batches the store did not take wait here, on disk. */
      spool: z
        .strictObject({
          path: z.string().min(1).default('data/spool.db'),
          maxPoints: z.number().int().min(1000).default(5_000_000),
        })
        .default({ path: 'data/spool.db', maxPoints: 5_000_000 }),
    })
    .default({
      backend: 'sqlite',
      sqlite: {
        path: 'data/plantwatch.db',
        rawRetention: 90 * 86_400_000,
        rollup1mRetention: 400 * 86_400_000,
      },
      batch: { maxPoints: 5000, maxDelay: 1000 },
      spool: { path: 'data/spool.db', maxPoints: 5_000_000 },
    }),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') })
    .default({ level: 'info' }),
  /**
   * Login and roles (src/auth/README.md). On unless the file says `enabled: false`: an empty,
   * truncated or half-written plantwatch.yaml must not start a gateway anyone can operate.
   */
  auth: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The user and session store: a SQLite file, relative to where the gateway runs. */
      users: z.string().min(1).default('data/users.db'),
      /** A session unused this long ends (one shift); none outlives sessionMax. */
      sessionIdle: duration.default(12 * 3_600_000),
      sessionMax: duration.default(7 * 86_400_000),
      /** Mark the session cookie Secure: set when the dashboard is served over https. */
      secureCookies: z.boolean().default(false),
      /** The first admin, created at start if missing; its password from the named environment variable. */
      bootstrapAdmin: z
        .strictObject({
          username: z.string().min(1),
          passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
        })
        .optional(),
      /** The documented demo accounts; refused when NODE_ENV=production. */
      demoAccounts: z.boolean().default(false),
    })
    .prefault({}),
  /** Operations records: work orders, shift handovers, maintenance done (SQLite, kept for audits). */
  records: z
    .strictObject({
      path: z.string().default('data/records.db'),
      /** Alarms of these priorities open a work order by themselves when they activate. */
      autoWorkOrders: z.array(z.enum(PRIORITIES)).default([]),
    })
    .default({ path: 'data/records.db', autoWorkOrders: [] }),
  /** Points stay good this many poll periods without a successful read, then turn stale. */
  staleAfterPeriods: z.number().min(1).default(3),
  /**
   * Folders of profiles shared with other campuses' configurations, relative to this
   * configuration directory: looked in after its own profiles/ and before the library.
   */
  sharedProfiles: z.array(z.string().min(1)).default([]),
  /** The hospital group's view (/group): the campuses this gateway shows, read from the central broker. */
  group: groupSettings.optional(),
});

/** plantwatch.yaml's sections, each as validated (`gatewaySectionSchemas.auth` for the auth: section alone). */
export const gatewaySectionSchemas = gatewaySections.shape;

/** plantwatch.yaml. */
export const gatewayFile = gatewaySections;

// ---------------------------------------------------------------- simulation (used by simulators/ only)

const simDevice = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

export const simulationFile = z.strictObject({
  /** Simulated time runs this many times faster than real time (1 = real time). */
  speed: z.number().positive().default(1),
  weather: z
    .strictObject({ meanC: z.number().default(27), swingC: z.number().default(6) })
    .default({ meanC: 27, swingC: 6 }),
  /** Physics parameters per device id (capacityKw, peakKw, load profile, ...). */
  devices: z.record(id, simDevice).default({}),
  /** Where the fault-injection control API listens. */
  control: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: port.default(8090) })
    .default({ host: '127.0.0.1', port: 8090 }),
  /**
   * The demo inbox: an SMTP server (on the control host) and the control API's
   * /inbox/webhook/:group catch what the notifier sends. Absent: no inbox.
   */
  inbox: z.strictObject({ smtpPort: port.default(2525), enabled: z.boolean().default(true) }).optional(),
  /**
   * On a first start with an empty embedded store, write this many days of simulated past
   * (energy pages, leak nights and savings need weeks of data); 0: none.
   */
  history: z
    .strictObject({ days: z.number().int().min(0).max(400).default(0), step: duration.default(15 * 60_000) })
    .default({ days: 0, step: 15 * 60_000 }),
});

export type SiteFile = z.infer<typeof siteFile>;
export type Site = z.infer<typeof site>;
export type Building = z.infer<typeof building>;
export type Room = z.infer<typeof room>;
export type ModbusLineConfig = z.infer<typeof modbusLine>;
export type ModbusProfile = z.infer<typeof modbusProfile>;
export type MqttProfile = z.infer<typeof mqttProfile>;
export type Profile = z.infer<typeof profileFile>;
export type ModbusPointConfig = z.infer<typeof modbusPoint>;
export type MqttPointConfig = z.infer<typeof mqttPoint>;
export type DeviceConfig = z.infer<typeof device>;
export type ModbusDeviceConfig = z.infer<typeof modbusDevice>;
export type MqttDeviceConfig = z.infer<typeof mqttDevice>;
export type BacnetProfile = z.infer<typeof bacnetProfile>;
export type BacnetPointConfig = z.infer<typeof bacnetPoint>;
export type BacnetDeviceConfig = z.infer<typeof bacnetDevice>;
/** plantwatch.yaml's bacnet: section, when there is one. */
export type BacnetSettings = NonNullable<GatewaySettings['bacnet']>;
export type BacnetPortSettings = BacnetSettings['ports'][number];
export type GatewaySettings = z.infer<typeof gatewayFile>;
/** plantwatch.yaml's mqtt: section, when there is one. */
export type MqttSettings = NonNullable<GatewaySettings['mqtt']>;
export type MqttUser = z.infer<typeof mqttUser>;
export type SimulationConfig = z.infer<typeof simulationFile>;
export type DataType = (typeof dataTypes)[number];
export type WordOrder = (typeof wordOrders)[number];
export type RegisterTable = (typeof registerTables)[number];
