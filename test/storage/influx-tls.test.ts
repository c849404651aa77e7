// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${file:…}" is the configuration's own syntax here, not a template.
/**
 * InfluxDB over https, as a hospital group's central server is reached: a real influxd with
 * `https-enabled = true` and a self-signed certificate made by openssl. Trusted through the
 * configured CA it stores; not trusted, the store is down with a message that names the
 * setting, and the gateway goes on. And the configuration's own errors for these keys.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { InfluxStore } from '../../src/storage/influx.js';
import { type Influxd, influxConfigDir, startInfluxd } from '../helpers/influxd.js';
import { until } from '../helpers/wait.js';
import { startGatewayRig } from '../security/gateway-rig.js';
import { CONTRACT_CATALOG } from './contract.js';

let influxd: Influxd;
beforeAll(async () => {
  influxd = await startInfluxd({ https: true });
}, 30_000);
afterAll(async () => influxd?.stop());

const https = (database: string) => ({
  host: influxd.host,
  port: influxd.port,
  database,
  protocol: 'https' as const,
});
const value = (ts: number) => ({ id: 'dr1-incomer.power_kw', value: 7.5, quality: 'good' as const, ts });

describe('InfluxDB over https, with a self-signed certificate', () => {
  it('stores and reads back when the certificate is verified against the configured CA', async () => {
    const store = await InfluxStore.open(
      { ...https('tls_ca'), ca: influxd.certificate },
      CONTRACT_CATALOG,
      silentLogger(),
    );
    const ts = Date.now() - 1000;
    await store.write([value(ts)]);
    expect(await store.query({ point: 'dr1-incomer.power_kw', from: ts, to: ts + 1 })).toEqual([
      { ts, value: 7.5, quality: 'good' },
    ]);
    expect(await store.health()).toEqual({ ok: true, backend: 'influxdb' });
  });

  it('without the CA: refused, with a message naming the setting (verifyTls: false accepts it)', async () => {
    const failure = await InfluxStore.open(https('tls_none'), CONTRACT_CATALOG, silentLogger()).catch(
      (err: unknown) => err as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^TLS: the InfluxDB server's certificate is not trusted \(self[- ]signed certificate; DEPTH_ZERO_SELF_SIGNED_CERT\): set storage.influxdb.ca/,
    );
    const unverified = await InfluxStore.open(
      { ...https('tls_unverified'), verifyTls: false },
      CONTRACT_CATALOG,
      silentLogger(),
    );
    await unverified.write([value(Date.now())]);
  });

  /** The demo gateway, storing into this influxd over https as `influxdb` says. */
  const gatewayWith = (influxdb: (doc: Document, dir: string) => Record<string, unknown>) =>
    startGatewayRig({
      plantwatch: (doc, dir) => {
        doc.setIn(['storage', 'backend'], 'influxdb');
        doc.setIn(['storage', 'influxdb'], doc.createNode(influxdb(doc, dir)));
        doc.setIn(['storage', 'batch'], doc.createNode({ maxPoints: 5000, maxDelay: '50ms' }));
      },
    });

  it('a gateway reads the CA from the file its config names, and stores over https', async () => {
    const rig = await gatewayWith((_doc, dir) => {
      writeFileSync(join(dir, 'influx-ca.pem'), influxd.certificate ?? '');
      return { ...https('tls_gateway'), ca: '${file:influx-ca.pem}' };
    });
    try {
      rig.gateway.bus.publish([{ ...value(Date.now()), id: rig.gateway.table.all()[0]?.info.id ?? '' }]);
      await until('a write over https', () => rig.gateway.storage.stats().written > 0, 10_000);
      expect(rig.gateway.storage.stats().storeUp).toBe(true);
    } finally {
      await rig.stop();
    }
  }, 60_000);

  it('a gateway without the CA: the store is down with a one-line reason, the gateway goes on', async () => {
    const rig = await gatewayWith(() => https('tls_gateway_untrusted'));
    try {
      rig.gateway.bus.publish([{ ...value(Date.now()), id: rig.gateway.table.all()[0]?.info.id ?? '' }]);
      await until('the store counted down', () => rig.gateway.storage.stats().storeUp === false, 10_000);
      const down = rig.lines.find((l) => l.msg.startsWith('time-series store not writable'));
      expect(down?.err).toContain("TLS: the InfluxDB server's certificate is not trusted");
      expect(JSON.stringify(rig.lines)).not.toMatch(/\\n\s+at /); // no stack in the log
      expect(rig.gateway.storage.stats().spool.points).toBeGreaterThan(0);
      // Alive, and saying what a monitoring probe needs to know.
      const health = await fetch(`${rig.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'degraded', storage: { storeUp: false } });
    } finally {
      await rig.stop();
    }
  }, 60_000);
});

describe('InfluxDB TLS settings in plantwatch.yaml', () => {
  /** The ConfigError of a configuration directory with this plantwatch.yaml. */
  function loadError(plantwatchYaml: string, files: Record<string, string> = {}): unknown {
    const config = influxConfigDir(plantwatchYaml, files);
    try {
      loadConfig(config.dir);
      return undefined;
    } catch (err) {
      return err;
    } finally {
      config.cleanup();
    }
  }

  it('names the file, key and what was expected', () => {
    const error = loadError(
      [
        'storage:',
        '  backend: influxdb',
        '  influxdb:',
        '    host: influx.group.example',
        '    ca: /etc/plantwatch/influx-ca.pem',
        '    verifyTls: false',
        '    rawRetention: 90 days',
        '    protocol: tls',
        '',
      ].join('\n'),
    );
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((i) => `${i.file}:${i.line}: ${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /plantwatch\.yaml:5: storage\.influxdb\.ca: PEM certificate text, e\.g\. ca: "\$\{file:.*\}" \(a bare path is not read\)/,
        ),
        expect.stringMatching(
          /plantwatch\.yaml:7: storage\.influxdb\.rawRetention: an InfluxDB duration of at least 1h, such as "720h", "90d" or "12w", or "INF"/,
        ),
        expect.stringMatching(
          /plantwatch\.yaml:8: storage\.influxdb\.protocol: expected one of "http", "https"/,
        ),
      ]),
    );
  });

  it('refuses ca and verifyTls with plain http', () => {
    const error = loadError(
      'storage:\n  backend: influxdb\n  influxdb: { host: influx.local, ca: "${file:ca.pem}", verifyTls: false }\n',
      { 'ca.pem': influxd.certificate ?? '' },
    );
    expect((error as Error).message).toMatch(
      /storage\.influxdb\.ca: only used with protocol: https[\s\S]*storage\.influxdb\.verifyTls: only used with protocol: https/,
    );
  });
});
