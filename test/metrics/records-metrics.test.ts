/**
 * What a Prometheus scrape tells the department about its records: work orders still open
 * per team, maintenance tasks per state, from the real records service (demo config).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOf } from '../helpers/metrics.js';
import { local, type RecordsRig, startRecordsRig } from '../web/records-harness.js';

let rig: RecordsRig;

beforeAll(async () => {
  rig = await startRecordsRig({ at: local('2026-11-25T10:00') });
});

afterAll(async () => {
  await rig?.stop();
});

const scrape = () => metricsOf({ records: () => rig.records.stats() }).metrics();

describe('records metrics', () => {
  it('counts open work orders per team and maintenance tasks per state', async () => {
    const order = rig.records.openWorkOrder({ title: 'Noisy pump bearing', device: 'pbw1' }, 'operator');
    rig.records.openWorkOrder({ title: 'Flickering lights, ward 5', device: 'dr1-f2' }, 'operator');
    let text = await scrape();
    expect(text).toContain('plantwatch_work_orders_open{team="water-ac"} 1');
    expect(text).toContain('plantwatch_work_orders_open{team="electricians"} 1');
    rig.records.workOrders.complete(order.id, 'operator', 'greased');
    text = await scrape();
    expect(text).not.toContain('plantwatch_work_orders_open{team="water-ac"}');
    // The demo plan on 2026-11-25: some tasks overdue (e.g. DR2's thermography, due in October).
    const overdue = rig.records.maintenanceStatus().filter((s) => s.state === 'overdue').length;
    expect(overdue).toBeGreaterThan(0);
    expect(text).toContain(`plantwatch_maintenance_tasks{state="overdue"} ${overdue}`);
  });
});
