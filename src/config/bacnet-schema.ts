/**
 * BACnet/IP in the configuration: the gateway's BACnet/IP ports (plantwatch.yaml `bacnet:`),
 * a device's place on them (devices/*.yaml `bacnet:`), and profiles mapping BACnet objects to
 * named points (the sections themselves are in schema.ts, with the others). Object types and properties are named as ASHRAE 135 names them, in kebab case
 * ("analog-input:3", "present-value"), and the names are checked against the BACnet stack's own
 * tables, so every standard type is accepted and a misspelt one is an error naming the choices.
 */
import { ObjectType, PropertyIdentifier } from '@bacnet-js/client';
import { z } from 'zod';

/** ANALOG_INPUT → analog-input. */
const kebab = (constant: string) => constant.toLowerCase().replaceAll('_', '-');

function namedNumbers(table: Record<string, string | number>): Map<string, number> {
  return new Map(
    Object.entries(table).flatMap(([key, value]) => (typeof value === 'number' ? [[kebab(key), value]] : [])),
  );
}

export const BACNET_OBJECT_TYPES = namedNumbers(ObjectType);
export const BACNET_PROPERTIES = namedNumbers(PropertyIdentifier);

/** The abbreviations integrators and BMS object lists use (AI3, BV:12). */
export const BACNET_TYPE_ABBREVIATIONS: Record<string, string> = {
  ai: 'analog-input',
  ao: 'analog-output',
  av: 'analog-value',
  bi: 'binary-input',
  bo: 'binary-output',
  bv: 'binary-value',
  msi: 'multi-state-input',
  mso: 'multi-state-output',
  msv: 'multi-state-value',
  acc: 'accumulator',
};

/** Object types whose present-value a point can carry (the rest are schedules, logs, files…). */
const POINT_OBJECT_TYPES = [
  'analog-input',
  'analog-output',
  'analog-value',
  'binary-input',
  'binary-output',
  'binary-value',
  'multi-state-input',
  'multi-state-output',
  'multi-state-value',
  'accumulator',
  'pulse-converter',
  'integer-value',
  'positive-integer-value',
  'large-analog-value',
  'loop',
  'averaging',
  'device',
] as const;

/** BACnet/IP's own UDP port (0xBAC0). */
export const BACNET_PORT_DEFAULT = 47808;

/** The largest object or device instance number (22 bits; 4194303 means "none"). */
export const MAX_INSTANCE = 4_194_302;

export interface BacnetObjectRef {
  type: number;
  instance: number;
  /** As written, normalised ("analog-input:3"), for messages and the scan's drafts. */
  text: string;
}

/** "analog-input:3", "AI3", "ai:3". */
export const bacnetObject = z.string().transform((text, ctx): BacnetObjectRef => {
  const match = /^([A-Za-z-]+?):?(\d+)$/.exec(text.trim());
  const written = match?.[1]?.toLowerCase() ?? '';
  const typeName = BACNET_TYPE_ABBREVIATIONS[written] ?? written;
  const instance = Number(match?.[2]);
  const type = BACNET_OBJECT_TYPES.get(typeName);
  if (!match || type === undefined || !(POINT_OBJECT_TYPES as readonly string[]).includes(typeName)) {
    ctx.addIssue({
      code: 'custom',
      message: `an object "<type>:<instance>" such as "analog-input:3" or "AI3", of type ${POINT_OBJECT_TYPES.join(', ')} (got "${text}")`,
    });
    return z.NEVER;
  }
  if (instance > MAX_INSTANCE) {
    ctx.addIssue({ code: 'custom', message: `an instance from 0 to ${MAX_INSTANCE} (got ${instance})` });
    return z.NEVER;
  }
  return { type, instance, text: `${typeName}:${instance}` };
});

/** "present-value" (the default), "relinquish-default", … */
export const bacnetProperty = z.string().transform((text, ctx): number => {
  const property = BACNET_PROPERTIES.get(text.trim().toLowerCase());
  if (property === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `a BACnet property name such as "present-value" or "relinquish-default" (got "${text}")`,
    });
    return z.NEVER;
  }
  return property;
});

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** "10.1.0.21" or "10.1.0.21:47809": a BACnet/IP address (B/IP is IPv4 only; B/IPv6 is another data link). */
export const bacnetAddress = z.string().superRefine((text, ctx) => {
  const [host = '', port, ...rest] = text.split(':');
  const portOk = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) > 0 && Number(port) < 65536);
  if (!IPV4.test(host) || !portOk || rest.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: `an IPv4 address with an optional UDP port, such as "10.1.0.21" or "10.1.0.21:47809" (got "${text}")`,
    });
});

/** A station's MAC address behind a router: hex octets, e.g. "05" for MS/TP station 5. */
export const bacnetMac = z
  .string()
  .regex(
    /^([0-9A-Fa-f]{2}){1,6}$/,
    'the station address behind the router in hex octets, e.g. "05" (MS/TP station 5)',
  );

/**
 * The id of the BACnet/IP port a device is on: its `bacnet.port`, or the only port there is
 * (check-config refuses a device without `port` when there are several or none).
 */
export function bacnetPortOf(
  device: { bacnet: { port?: string | undefined } },
  settings: { ports: readonly { id: string }[] } | undefined,
): string | undefined {
  return device.bacnet.port ?? (settings?.ports.length === 1 ? settings.ports[0]?.id : undefined);
}
