/**
 * One SMTP transport for all of the gateway's mail: an alarm e-mail from the notifier and the
 * monthly report, sent with the same notify.yaml (the demo's, which sets no timeout), to relays
 * that hang after MAIL FROM, give up after the same time, the default bound.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlantConfig } from '../../src/config/index.js';
import type { EnergyService } from '../../src/energy/index.js';
import { silentLogger } from '../../src/log/index.js';
import { SMTP_TIMEOUT_MS } from '../../src/notify/channels/email.js';
import { startNotifier } from '../../src/notify/index.js';
import { startMonthlyReports } from '../../src/reports/monthly.js';
import { demoEnergy, HOUR, type TestStore } from '../energy/simulated-store.js';
import { chillerTripEvent } from '../helpers/alarm-event.js';
import { until } from '../helpers/wait.js';
import { type StallingSmtp, startStallingSmtp } from './mail.js';

const ZONE = 'Asia/Shanghai';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const NOW = local('2026-11-01T08:00');

let config: PlantConfig;
let data: TestStore;
let energy: EnergyService;
const relays: StallingSmtp[] = [];

beforeAll(async () => {
  // A few days of history are enough: the report is built, then its mail hangs.
  ({ config, data, energy } = await demoEnergy(
    { from: local('2026-10-28T00:00'), to: NOW, stepMs: HOUR },
    NOW,
  ));
}, 60_000);

afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await data?.close();
});

/** The demo's notify.yaml with its e-mail on `port`, its timeout (none) as it is. */
function mailingVia(port: number): PlantConfig {
  const email = config.notify.channels.email;
  if (!email) throw new Error('the demo has no e-mail channel');
  if (email.timeout !== undefined)
    throw new Error('the demo sets an SMTP timeout: this test is about the default');
  return {
    ...config,
    // Sent on demand below, not by the schedule as well.
    energy: { ...config.energy, monthlyReport: { ...config.energy.monthlyReport, enabled: false } },
    notify: {
      ...config.notify,
      channels: { email: { ...email, host: '127.0.0.1', port }, webhooks: [] },
      routing: { ...config.notify.routing, critical: { channels: ['email'], escalate: [] } },
    },
  };
}

it('gives up on a relay that hangs after the same time for an alarm e-mail and the monthly report', async () => {
  const [alarmRelay, reportRelay] = await Promise.all([startStallingSmtp(), startStallingSmtp()]);
  relays.push(alarmRelay, reportRelay);

  const notifier = startNotifier({ settings: mailingVia(alarmRelay.port).notify, log: silentLogger() });
  notifier.handle(chillerTripEvent({ ts: NOW }));
  const reports = startMonthlyReports({
    energy,
    config: mailingVia(reportRelay.port),
    log: silentLogger(),
    // Written only once a report is sent, which this one never is.
    statePath: join(tmpdir(), `plantwatch-smtp-timeout-${process.pid}.json`),
    now: () => NOW,
  });
  const report = reports.send('2026-10').then(
    () => 'sent',
    (err: Error) => err.message,
  );

  await until(
    'both to give up',
    () => alarmRelay.stalls.length > 0 && reportRelay.stalls.length > 0,
    3 * SMTP_TIMEOUT_MS + 10_000,
    100,
  );
  expect(await report).toMatch(/timeout|timed out/i);
  const [alarmWait, reportWait] = [alarmRelay.stalls[0] as number, reportRelay.stalls[0] as number];
  // Seconds, not milliseconds: each waited about the default bound, and about as long as the other.
  for (const wait of [alarmWait, reportWait]) {
    expect(wait).toBeGreaterThan(SMTP_TIMEOUT_MS / 2);
    expect(wait).toBeLessThan(SMTP_TIMEOUT_MS * 1.5);
  }
  expect(Math.abs(alarmWait - reportWait)).toBeLessThan(SMTP_TIMEOUT_MS / 4);

  reports.stop();
  await Promise.all([alarmRelay.close(), reportRelay.close()]);
  await notifier.close();
}, 90_000);
