/**
 * A copy of the demo group's east campus (config/east/) in a temp directory, moved onto free
 * loopback ports and temp stores, so tests run beside a running demo. The whole of config/ is
 * copied, the main hospital's configuration with it: the east campus reads its profiles from
 * ../profiles (plantwatch.yaml sharedProfiles), and its broker accounts are the main one's.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editYaml } from './demo-config.js';
import { freePorts } from './modbus-tcp-device.js';

export interface EastConfig {
  /** The east campus's configuration directory (`<root>/east`). */
  dir: string;
  /** The copied main hospital's configuration (`<root>`), whose profiles and broker accounts it uses. */
  mainDir: string;
  cleanup(): void;
}

export interface EastConfigOptions {
  /** The central broker the campus's gateway publishes to (default: as configured, 127.0.0.1:1883). */
  brokerUrl?: string;
  /** Login on, with the demo accounts (default false). */
  auth?: boolean;
  /** Keep the campus's automatic work orders for critical alarms (default false). */
  autoWorkOrders?: boolean;
  /** Keep its maintenance plan, whose absolute dates raise alarms by today's date (default false). */
  maintenance?: boolean;
}

export async function eastConfigCopy(options: EastConfigOptions = {}): Promise<EastConfig> {
  const root = mkdtempSync(join(tmpdir(), 'plantwatch-east-'));
  cpSync('config', root, { recursive: true });
  await placeEastCopy(root, options);
  return {
    dir: join(root, 'east'),
    mainDir: root,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * The east campus of a copy of config/ at `root` (`<root>/east`) moved in place onto free
 * loopback ports, its stores under `<root>/data/east`, notifications nowhere real and no
 * history to write: for a copy that runs the demo (which starts the east campus too) from any
 * working directory without touching the checkout's data/ or a running demo's ports.
 */
export async function placeEastCopy(root: string, options: EastConfigOptions = {}): Promise<void> {
  const dir = join(root, 'east');
  const data = join(root, 'data', 'east');
  const ports = await freePorts(8);
  const freePort = () => {
    const port = ports.pop();
    if (port === undefined) throw new Error('east config copy needs more than 8 ports');
    return port;
  };
  await editYaml(join(dir, 'lines.yaml'), (doc) => {
    const lines = doc.get('lines') as { items: { set(k: string, v: unknown): void }[] };
    for (const line of lines.items) {
      line.set('port', freePort());
      // Recover within seconds rather than the production 30 s backoff ceiling.
      line.set('backoff', doc.createNode({ initial: '300ms', max: '2s' }));
    }
  })();
  await editYaml(join(dir, 'plantwatch.yaml'), (doc) => {
    doc.setIn(['web', 'host'], '127.0.0.1');
    doc.setIn(['web', 'port'], 0);
    doc.setIn(['auth', 'enabled'], options.auth ?? false);
    doc.setIn(['auth', 'users'], join(data, 'users.db'));
    doc.setIn(['storage', 'sqlite', 'path'], join(data, 'plantwatch.db'));
    doc.setIn(['storage', 'spool', 'path'], join(data, 'spool.db'));
    doc.setIn(['records', 'path'], join(data, 'records.db'));
    if (!options.autoWorkOrders) doc.setIn(['records', 'autoWorkOrders'], doc.createNode([]));
    if (options.brokerUrl) doc.setIn(['mqtt', 'broker', 'url'], options.brokerUrl);
  })();
  await editYaml(join(dir, 'alarms.yaml'), (doc) => {
    doc.setIn(['settings', 'journal'], join(data, 'alarms.db'));
  })();
  await editYaml(join(dir, 'notify.yaml'), (doc) => {
    // Nowhere real: the test's own receivers when it sets them.
    doc.setIn(['channels', 'email', 'port'], 9);
    const hooks = doc.getIn(['channels', 'webhooks']) as { items: { set(k: string, v: unknown): void }[] };
    for (const hook of hooks.items) hook.set('url', 'http://127.0.0.1:9/unused');
  })();
  await editYaml(join(dir, 'simulation.yaml'), (doc) => {
    doc.setIn(['control', 'port'], freePort());
    // Tests write the history they need themselves.
    doc.setIn(['history', 'days'], 0);
  })();
  if (!options.maintenance) rmSync(join(dir, 'maintenance.yaml'));
}
