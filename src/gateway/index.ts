/**
 * The gateway: wires the stages together in the one direction data flows,
 * acquisition (Modbus, MQTT) → point bus → point table / storage / alarms / MQTT republish /
 * live push, and alarms → journal / MQTT / live push / notifications,
 * and takes them down in the reverse order.
 */
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type BacnetService, startBacnet } from '../acquisition/bacnet/index.js';
import { type ModbusService, startModbus } from '../acquisition/modbus/index.js';
import { type MqttService, startMqtt } from '../acquisition/mqtt/index.js';
import { type AlarmService, createAlarms } from '../alarms/index.js';
import { type Auth, createAuth } from '../auth/index.js';
import type { PlantConfig } from '../config/index.js';
import { createEnergy, type EnergyService } from '../energy/index.js';
import { startCampusSummaryFor, startGroupViewFor } from '../group/index.js';
import { createMetrics } from '../metrics/index.js';
import { type Notifier, startNotifier } from '../notify/index.js';
import { buildCatalog, PointBus, PointTable } from '../points/index.js';
import { createRecords, type RecordsService } from '../records/index.js';
import { buildMonthlyReport, previousMonth, startMonthlyReports } from '../reports/monthly.js';
import { reportPdf, reportPdfs } from '../reports/monthly-pdf.js';
import { chromiumPdf } from '../reports/pdf.js';
import { type StorageService, startStorage } from '../storage/index.js';
import { summarizeConfig } from '../web/admin.js';
import { startWebServer, type WebServer } from '../web/index.js';
import { mimicModels } from '../web/mimic.js';
import { siteSettings } from '../web/site.js';
import { publishAlarmStates } from './alarm-topics.js';
import { CleanupStack, type StepProbe } from './cleanup.js';

export interface Gateway {
  readonly bus: PointBus;
  readonly table: PointTable;
  readonly modbus: ModbusService;
  readonly bacnet: BacnetService;
  readonly mqtt: MqttService;
  readonly web: WebServer;
  readonly storage: StorageService;
  readonly alarms: AlarmService;
  readonly notifier: Notifier;
  readonly energy: EnergyService;
  readonly records: RecordsService;
  /** Login and roles, when auth.enabled. */
  readonly auth: Auth | undefined;
  stop(): Promise<void>;
}

/** The activation of each alarm left unacknowledged by the previous run, from the journal. */
function unacknowledgedActivations(alarms: AlarmService) {
  return alarms
    .list()
    .filter((a) => a.state === 'active-unacknowledged')
    .flatMap((a) => alarms.history({ alarm: a.id, kind: ['activated'], limit: 1 }));
}

export interface StartGatewayOptions {
  config: PlantConfig;
  log: Logger;
  /** Tests only: a step that no real cause can make fail fails here (cleanup.ts). */
  probe?: StepProbe;
}

/**
 * Starts every part, each one's stop pushed on one cleanup stack as it starts: a failure
 * stops what had started, last first, and `stop()` unwinds the same stack.
 */
export async function startGateway({ config, log, probe }: StartGatewayOptions): Promise<Gateway> {
  const stack = new CleanupStack(log, probe);
  try {
    const parts = await startParts(stack, config, log);
    log.info(
      {
        web: parts.web.url,
        mqtt: parts.mqtt.brokerUrl,
        embeddedBroker: parts.mqtt.embedded,
        points: parts.table.info.size,
      },
      `Plantwatch gateway running: dashboard and API at ${parts.web.url}, ${parts.mqtt.enabled ? `MQTT broker at ${parts.mqtt.brokerUrl}` : 'MQTT off'}`,
    );
    return { ...parts, stop: () => stack.unwind() };
  } catch (err) {
    await stack.unwind();
    throw err;
  }
}

async function startParts(
  stack: CleanupStack,
  config: PlantConfig,
  log: Logger,
): Promise<Omit<Gateway, 'stop'>> {
  const bus = new PointBus(log);
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  // Storage subscribes first among the outputs: it is the one that must see every value.
  // It stops last: whatever acquisition produced until then is flushed (or spooled).
  const storage = await stack.start(
    'storage',
    () => startStorage({ config, catalog: table.info, bus, log }),
    (s) => s.stop(),
  );
  // Alarms read the point table, which is updated first on every batch; they start following
  // the bus once their outputs listen (below), so no early alarm goes unannounced.
  const alarms = await stack.start(
    'alarms',
    () => createAlarms({ config, bus, read: (id) => table.get(id), log }),
    (a) => a.stop(),
  );
  // MQTT first: the broker must be listening before devices (and simulators) publish to it.
  const mqtt = await stack.start(
    'mqtt',
    () => startMqtt({ config, bus, log }),
    (m) => m.stop(),
  );
  const mqttSettings = config.gateway.mqtt;
  await stack.start(
    'alarm-topics',
    () => (mqttSettings ? publishAlarmStates(alarms, mqtt, mqttSettings.republish.prefix, log) : () => {}),
    (stopAlarmTopics) => stopAlarmTopics(),
  );
  // Closed after the alarms stop following their inputs: it drains what is queued (bounded)
  // while MQTT is still up for the mqtt channel, and nothing is raised it would not send.
  const notifier = await stack.start(
    'notifier',
    () =>
      startNotifier({
        settings: config.notify,
        log: log.child({ component: 'notify' }),
        ...(config.gateway.web.publicUrl ? { publicUrl: config.gateway.web.publicUrl } : {}),
        ...(mqtt.enabled
          ? { publishMqtt: (topic: string, payload: string) => mqtt.publish(topic, payload) }
          : {}),
      }),
    (n) => n.close(),
  );
  await stack.start(
    'notifier-follows-alarms',
    () => {
      // Every event, announced or not: an acknowledgement must cancel an escalation either way.
      const stopNotifying = alarms.subscribe((event) => notifier.handle(event));
      notifier.resume(unacknowledgedActivations(alarms));
      return stopNotifying;
    },
    (stopNotifying) => stopNotifying(),
  );
  // Holds nothing until its checks start (energy-checks).
  const energy = await stack.start('energy', () => createEnergy({ config, store: storage.store, bus, log }));
  const records = await stack.start(
    'records',
    () => createRecords({ config, alarms, roster: notifier.roster, table, store: storage.store, bus, log }),
    (r) => r.stop(),
  );
  // Like the notifier, listening before the alarms start: no activation goes without its order.
  await stack.start(
    'auto-work-orders',
    () => records.followAlarms(config.gateway.records.autoWorkOrders),
    (stopAutoOrders) => stopAutoOrders(),
  );
  await stack.start(
    'alarm-inputs',
    () => alarms.start(),
    () => alarms.stopInputs(),
  );
  // Leak and maintenance checks publish points the generated alarms watch: after alarms start.
  await stack.start(
    'energy-checks',
    () => energy.start(),
    () => energy.stop(),
  );
  // Its timer is stopped with the records themselves (records.stop, above).
  await stack.start('records-checks', () => records.start());
  // The report's PDF: the machine's chromium ($PLANTWATCH_CHROMIUM), one print at a time.
  const pdfRenderer = await stack.start(
    'pdf-renderer',
    () => chromiumPdf(),
    (r) => r.close(),
  );
  const monthlyReports = await stack.start(
    'monthly-reports',
    () =>
      startMonthlyReports({
        energy,
        config,
        log,
        statePath: join(dirname(resolve(config.gateway.records.path)), 'monthly-reports-sent.json'),
        pdfs: reportPdfs(pdfRenderer, config.energy.monthlyReport.pdf),
      }),
    (m) => m.stop(),
  );
  if (!notifier.enabled)
    log.warn('notifications are off: no channel in notify.yaml (alarms still show and are journaled)');
  const modbus = await stack.start(
    'modbus',
    () => startModbus({ config, bus, log }),
    (m) => m.stop(),
  );
  const bacnet = await stack.start(
    'bacnet',
    () => startBacnet({ config, bus, log }),
    (b) => b.stop(),
  );
  // Every polled device, Modbus and BACnet: health and /metrics count them alike.
  const devices = () => [
    ...modbus.devices(),
    ...bacnet.devices().map((device) => ({ ...device, protocol: 'bacnet' as const })),
  ];
  // The group: this campus's summary on the central broker, and the group view if it serves one.
  await stack.start(
    'campus-summary',
    () => startCampusSummaryFor(config, { energy, mqtt, devices, log }),
    (summary) => summary?.stop(),
  );
  const group = await stack.start(
    'group-view',
    () => startGroupViewFor(config, mqtt, log),
    (g) => g?.stop(),
  );
  const startedAt = Date.now();
  // No request can use a session once it is closed: the web server stops before it.
  const auth = await stack.start(
    'auth',
    () => startAuth(config, log),
    (a) => a?.close(),
  );
  let web: WebServer | undefined;
  const metrics = createMetrics({
    pointsPublished: () => bus.published,
    busListenerErrors: () => bus.listenerErrors,
    lines: () => modbus.lines(),
    devices,
    bacnet: () => bacnet.stats(),
    mqtt: () => mqtt.stats(),
    storage: () => storage.stats(),
    alarms: () => alarms.stats(),
    notifications: () => notifier.stats(),
    energy: () => energy.stats(),
    records: () => records.stats(),
    // The web server starts after the metrics it serves: until then nobody is connected.
    browsers: () => web?.browsers() ?? 0,
    ...(group ? { group: () => group.stats() } : {}),
  });
  web = await stack.start(
    'web',
    () =>
      startWebServer({
        host: config.gateway.web.host,
        port: config.gateway.web.port,
        table,
        bus,
        store: storage.store,
        alarms,
        metrics,
        log,
        auth,
        metricsPublic: config.gateway.web.metricsPublic,
        trustProxy: config.gateway.web.trustProxy,
        allowedOrigins: config.gateway.web.allowedOrigins,
        site: siteSettings(config),
        configSummary: () => summarizeConfig(config, notifier.roster.summary(Date.now())),
        energy,
        monthlyReport: async (month) =>
          (await buildMonthlyReport(energy, config, month ?? previousMonth(Date.now(), energy.timezone)))
            .html,
        monthlyReportPdf: async (month = previousMonth(Date.now(), energy.timezone), lang) => ({
          month,
          content: await reportPdf(await buildMonthlyReport(energy, config, month), lang, pdfRenderer),
        }),
        sendMonthlyReport: async (month) => (await monthlyReports.send(month)).month,
        records,
        mimics: mimicModels(config),
        ...(group ? { group } : {}),
        // The admin page's scans: a line the poller holds open over RS-485 is refused; a BACnet
        // port is scanned on the gateway's own socket of it.
        scans: {
          lines: config.lines,
          polledLines: () => modbus.lines().map((line) => line.id),
          bacnet: {
            ports: config.gateway.bacnet?.ports ?? [],
            clientOf: (id) => bacnet.clientOf(id),
            takenDeviceIds: () => config.devices.map((device) => device.id),
            takenProfileIds: () => [...config.profiles.keys()],
          },
        },
        status: {
          startedAt,
          lines: () => modbus.lines(),
          devices,
          bacnet: () => ({ ...bacnet.stats(), devices: bacnet.devices() }),
          mqtt: () => ({ ...mqtt.stats(), brokerUrl: mqtt.brokerUrl, embedded: mqtt.embedded }),
          storage: () => storage.stats(),
          notifications: () => ({ ...notifier.stats(), onDuty: notifier.roster.summary(Date.now()) }),
        },
      }),
    (w) => w.stop(),
  );
  return { bus, table, modbus, bacnet, mqtt, web, storage, alarms, notifier, energy, records, auth };
}

/** Login and roles when auth.enabled; otherwise a warning saying who can reach the dashboard. */
async function startAuth(config: PlantConfig, log: Logger): Promise<Auth | undefined> {
  const authConfig = config.gateway.auth;
  if (authConfig?.enabled) return createAuth({ settings: authConfig, log });
  log.warn(
    { host: config.gateway.web.host },
    isLoopback(config.gateway.web.host)
      ? 'login is off (auth.enabled: false): the dashboard answers on this machine only'
      : 'login is off (auth.enabled: false) and web.host is not loopback: anyone who reaches the dashboard can act on alarms',
  );
  return undefined;
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
