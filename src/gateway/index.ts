/**
 * The gateway: wires the stages together in the one direction data flows,
 * acquisition (Modbus, MQTT) → point bus → point table / storage / alarms / MQTT republish /
 * live push, and alarms → journal / MQTT / live push / notifications,
 * and takes them down in the reverse order.
 */
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type ModbusService, startModbus } from '../acquisition/modbus/index.js';
import { type MqttService, startMqtt } from '../acquisition/mqtt/index.js';
import { type AlarmService, createAlarms } from '../alarms/index.js';
import { type Auth, createAuth } from '../auth/index.js';
import type { PlantConfig } from '../config/index.js';
import { createEnergy, type EnergyService } from '../energy/index.js';
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

export interface Gateway {
  readonly bus: PointBus;
  readonly table: PointTable;
  readonly modbus: ModbusService;
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
}

export async function startGateway({ config, log }: StartGatewayOptions): Promise<Gateway> {
  const bus = new PointBus(log);
  const table = new PointTable(buildCatalog(config));
  bus.subscribe((values) => table.update(values));
  // Storage subscribes first among the outputs: it is the one that must see every value.
  const storage = startStorage({ config, catalog: table.info, bus, log });
  // Alarms read the point table, which is updated first on every batch; they start following
  // the bus once their outputs listen (below), so no early alarm goes unannounced.
  const alarms = createAlarms({ config, bus, read: (id) => table.get(id), log });

  // MQTT first: the broker must be listening before devices (and simulators) publish to it.
  const mqtt = await startMqtt({ config, bus, log }).catch(async (err: unknown) => {
    await alarms.stop();
    await storage.stop();
    throw err;
  });
  const stopAlarmTopics = publishAlarmStates(alarms, mqtt, config.gateway.mqtt.republish.prefix, log);
  const notifier = startNotifier({
    settings: config.notify,
    log: log.child({ component: 'notify' }),
    ...(config.gateway.web.publicUrl ? { publicUrl: config.gateway.web.publicUrl } : {}),
    publishMqtt: (topic, payload) => mqtt.publish(topic, payload),
  });
  // Every event, announced or not: an acknowledgement must cancel an escalation either way.
  const stopNotifying = alarms.subscribe((event) => notifier.handle(event));
  notifier.resume(unacknowledgedActivations(alarms));
  const energy = createEnergy({ config, store: storage.store, bus, log });
  const records = createRecords({
    config,
    alarms,
    roster: notifier.roster,
    table,
    store: storage.store,
    bus,
    log,
  });
  // Like the notifier, listening before the alarms start: no activation goes without its order.
  const stopAutoOrders = records.followAlarms(config.gateway.records.autoWorkOrders);
  alarms.start();
  // Leak and maintenance checks publish points the generated alarms watch: after alarms start.
  energy.start();
  records.start();
  // The report's PDF: the machine's chromium ($PLANTWATCH_CHROMIUM), one print at a time.
  const pdfRenderer = chromiumPdf();
  const monthlyReports = startMonthlyReports({
    energy,
    config,
    log,
    statePath: join(dirname(resolve(config.gateway.records.path)), 'monthly-reports-sent.json'),
    pdfs: reportPdfs(pdfRenderer, config.energy.monthlyReport.pdf),
  });
  if (!notifier.enabled)
    log.warn('notifications are off: no channel in notify.yaml (alarms still show and are journaled)');
  const modbus = startModbus({ config, bus, log });
  const startedAt = Date.now();
  let web: WebServer | undefined;
  let auth: Auth | undefined;
  try {
    const authConfig = config.gateway.auth;
    if (authConfig?.enabled) auth = await createAuth({ settings: authConfig, log });
    else
      log.warn(
        { host: config.gateway.web.host },
        isLoopback(config.gateway.web.host)
          ? 'login is off (auth.enabled: false): the dashboard answers on this machine only'
          : 'login is off (auth.enabled: false) and web.host is not loopback: anyone who reaches the dashboard can act on alarms',
      );
    const metrics = createMetrics({
      pointsPublished: () => bus.published,
      busListenerErrors: () => bus.listenerErrors,
      lines: () => modbus.lines(),
      devices: () => modbus.devices(),
      mqtt: () => mqtt.stats(),
      storage: () => storage.stats(),
      alarms: () => alarms.stats(),
      notifications: () => notifier.stats(),
      energy: () => energy.stats(),
      records: () => records.stats(),
      // The web server starts after the metrics it serves: until then nobody is connected.
      browsers: () => web?.browsers() ?? 0,
    });
    web = await startWebServer({
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
        (await buildMonthlyReport(energy, config, month ?? previousMonth(Date.now(), energy.timezone))).html,
      monthlyReportPdf: async (month = previousMonth(Date.now(), energy.timezone), lang) => ({
        month,
        content: await reportPdf(await buildMonthlyReport(energy, config, month), lang, pdfRenderer),
      }),
      sendMonthlyReport: async (month) => (await monthlyReports.send(month)).month,
      records,
      mimics: mimicModels(config),
      status: {
        startedAt,
        lines: () => modbus.lines(),
        devices: () => modbus.devices(),
        mqtt: () => ({ ...mqtt.stats(), brokerUrl: mqtt.brokerUrl, embedded: mqtt.embedded }),
        storage: () => storage.stats(),
        notifications: () => ({ ...notifier.stats(), onDuty: notifier.roster.summary(Date.now()) }),
      },
    });
  } catch (err) {
    auth?.close();
    stopAutoOrders();
    monthlyReports.stop();
    pdfRenderer.close();
    energy.stop();
    records.stop();
    await modbus.stop();
    stopNotifying();
    await notifier.close();
    stopAlarmTopics();
    await mqtt.stop();
    await alarms.stop();
    await storage.stop();
    throw err;
  }
  log.info(
    { web: web.url, mqtt: mqtt.brokerUrl, embeddedBroker: mqtt.embedded, points: table.info.size },
    `Plantwatch gateway running: dashboard and API at ${web.url}, MQTT broker at ${mqtt.brokerUrl}`,
  );
  return {
    bus,
    table,
    modbus,
    mqtt,
    web,
    storage,
    alarms,
    notifier,
    energy,
    records,
    auth,
    async stop() {
      // Alarms stop first, so nothing is raised that the notifier would no longer send.
      alarms.stopInputs();
      stopAutoOrders();
      monthlyReports.stop();
      pdfRenderer.close();
      energy.stop();
      await web.stop();
      records.stop();
      // No request can use a session any more.
      auth?.close();
      await modbus.stop();
      stopNotifying();
      // Drains what is queued (bounded) while MQTT is still up for the mqtt channel.
      await notifier.close();
      stopAlarmTopics();
      await mqtt.stop();
      await alarms.stop();
      // Last: whatever acquisition produced until now is flushed (or spooled).
      await storage.stop();
    },
  };
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
