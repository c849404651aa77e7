/**
 * A copy of the demo configuration (config/) in a temp directory, moved onto free
 * loopback ports and a private serial path, so tests run beside a running demo.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { freePorts } from './modbus-tcp-device.js';
import { freeUdpPorts } from './udp-ports.js';

export interface DemoConfig {
  dir: string;
  cleanup(): void;
}

export function editYaml(
  file: string,
  edit: (doc: ReturnType<typeof parseDocument>) => void | Promise<void>,
) {
  return async () => {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    await edit(doc);
    writeFileSync(file, doc.toString());
  };
}

export interface DemoConfigOptions {
  /** Login on, with the demo accounts (default false: most tests are not about login). */
  auth?: boolean;
  /**
   * Keep the demo's maintenance plan (default false): its dates are absolute, so which tasks
   * are overdue (and raise alarms) depends on today's date, which a test must not.
   */
  maintenance?: boolean;
  /** Keep the demo's east campus (config/east), moved onto free ports too (default false). */
  east?: boolean;
  /** Keep the demo's automatic work orders for critical alarms (default false). */
  autoWorkOrders?: boolean;
  /**
   * Keep the demo's monthly report schedule (default false): a gateway started on the demo
   * would otherwise build last month's report and print its PDFs at once, on every start.
   */
  monthlyReport?: boolean;
}

export async function demoConfigCopy(options: DemoConfigOptions = {}): Promise<DemoConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-demo-'));
  // Every port this copy needs, distinct from one another: lines, control API, inbox.
  const ports = await freePorts(32);
  const freePort = async () => {
    const port = ports.pop();
    if (port === undefined) throw new Error('demo config copy needs more than 32 ports');
    return port;
  };
  cpSync('config', dir, { recursive: true });
  await editYaml(join(dir, 'lines.yaml'), async (doc) => {
    const lines = doc.get('lines') as {
      items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
    };
    for (const line of lines.items) {
      if (line.get('transport') === 'rtu') line.set('path', join(dir, 'tty', String(line.get('id'))));
      else line.set('port', await freePort());
      // Recover within seconds rather than the production 30 s backoff ceiling.
      line.set('backoff', doc.createNode({ initial: '300ms', max: '2s' }));
    }
  })();
  await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['web', 'host'], '127.0.0.1');
    doc.setIn(['web', 'port'], 0);
    doc.setIn(['mqtt', 'broker', 'host'], '127.0.0.1');
    doc.setIn(['mqtt', 'broker', 'port'], 0);
    doc.setIn(['storage', 'sqlite', 'path'], join(dir, 'data', 'plantwatch.db'));
    doc.setIn(['storage', 'spool', 'path'], join(dir, 'data', 'spool.db'));
    doc.setIn(['auth', 'users'], join(dir, 'data', 'users.db'));
    doc.setIn(['auth', 'enabled'], options.auth ?? false);
    doc.setIn(['records', 'path'], join(dir, 'data', 'records.db'));
    // Tests open their work orders themselves unless they ask for the demo's automatic ones.
    if (!options.autoWorkOrders) doc.setIn(['records', 'autoWorkOrders'], doc.createNode([]));
  })();
  if (!options.maintenance) rmSync(join(dir, 'maintenance.yaml'));
  if (!options.monthlyReport)
    await editYaml(join(dir, 'energy.yaml'), (doc) => {
      doc.setIn(['monthlyReport', 'enabled'], false);
    })();
  await editYaml(join(dir, 'notify.yaml'), (doc) => {
    // Notifications go to the test's own receivers when it sets them; nowhere real otherwise.
    doc.setIn(['channels', 'email', 'port'], 9);
    const hooks = doc.getIn(['channels', 'webhooks']) as { items: { set(k: string, v: unknown): void }[] };
    for (const hook of hooks.items) hook.set('url', 'http://127.0.0.1:9/unused');
  })();
  await editYaml(join(dir, 'alarms.yaml'), (doc) => {
    doc.setIn(['settings', 'journal'], join(dir, 'data', 'alarms.db'));
  })();
  await editYaml(join(dir, 'simulation.yaml'), async (doc) => {
    doc.setIn(['control', 'port'], await freePort());
    doc.setIn(['inbox', 'smtpPort'], await freePort());
    // Tests write the history they need themselves; a first start writes none.
    doc.setIn(['history', 'days'], 0);
  })();
  await moveBacnetPorts(dir);
  // The demo's east campus (config/east) runs beside it only where a test asks for it.
  if (options.east) {
    // Imported here: east-config.ts uses this file's editYaml.
    const { placeEastCopy } = await import('./east-config.js');
    await placeEastCopy(dir, { auth: options.auth ?? false });
  } else rmSync(join(dir, 'east'), { recursive: true, force: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The gateway's BACnet/IP ports, the theatres' AHUs and the chillers' BACnet cards onto free
 * UDP ports: two gateways on one UDP port is a clear error, not a share.
 */
async function moveBacnetPorts(dir: string): Promise<void> {
  const ports = await freeUdpPorts(16);
  const port = () => {
    const free = ports.pop();
    if (free === undefined) throw new Error('demo config copy needs more than 16 UDP ports');
    return free;
  };
  type Items = { items: { get(k: string): unknown; setIn(path: unknown[], v: unknown): void }[] } | undefined;
  await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
    for (const item of (doc.getIn(['bacnet', 'ports']) as Items)?.items ?? [])
      item.setIn(['udpPort'], port());
  })();
  await editYaml(join(dir, 'devices', 'theatres.yaml'), (doc) => {
    for (const device of (doc.get('devices') as Items)?.items ?? [])
      device.setIn(['bacnet', 'address'], `127.0.0.1:${port()}`);
  })();
  await editYaml(join(dir, 'simulation.yaml'), (doc) => {
    const devices = doc.get('devices') as {
      items: { key: unknown; value: { has(k: string): boolean; set(k: string, v: unknown): void } }[];
    };
    for (const { value } of devices.items)
      if (value?.has?.('bacnetAddress')) value.set('bacnetAddress', `127.0.0.1:${port()}`);
  })();
}
