/**
 * The records API over real HTTP, from real parts (demo configuration, alarm engine, SQLite
 * stores, duty roster, login with the demo accounts): what an electrician does with work
 * orders, handovers and maintenance, and what a department head or an accreditation auditor
 * reads back — KPIs, operation logs, the asset ledger and its labels, as JSON and as CSV.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateHistory } from '../../simulators/history.js';
import * as api from '../../src/api-types/records.js';
import type { PointValue } from '../../src/points/index.js';
import { type AssetEntry, assetLabelSvg } from '../../src/records/index.js';
import { until } from '../helpers/wait.js';
import {
  type Account,
  csvNumber,
  HOUR,
  local,
  MINUTE,
  parseCsv,
  type RecordsRig,
  startRecordsRig,
} from './records-harness.js';

type SafeParse =
  | { success: true }
  | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
type Schema = { safeParse(v: unknown): SafeParse };

/** A Wednesday morning in the day shift (08:00–20:00 in notify.yaml). */
const MORNING = local('2026-11-25T10:00');

describe('work orders', () => {
  let rig: RecordsRig;
  beforeAll(async () => {
    rig = await startRecordsRig({ login: true, at: MORNING });
  });
  afterAll(() => rig?.stop());

  it('opens a hotline order by hand, numbered in the local year, for the team of the equipment', async () => {
    const { status, body } = await rig.request('/api/work-orders', {
      as: 'electrician',
      body: { title: 'Ward 5 too warm', device: 'ch1', reporter: 'Ward 5 nurse, ext. 5512' },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      title: 'Ward 5 too warm',
      source: 'hotline',
      priority: 'medium',
      status: 'open',
      device: 'ch1',
      deviceName: 'Chiller 1',
      building: 'energy-centre',
      room: 'chiller-plant',
      reporter: 'Ward 5 nurse, ext. 5512',
      // notify.yaml: chillers and pumps are the water/air-conditioning team's.
      team: 'water-ac',
      createdAt: MORNING,
      createdBy: 'electrician',
    });
    expect(body.number).toMatch(/^WO-2026-\d{6}$/);
    // A power meter is the electricians'.
    const meter = await rig.request('/api/work-orders', {
      as: 'electrician',
      body: { title: 'Display dark', device: 'dr1-incomer' },
    });
    expect(meter.body.team).toBe('electricians');
    // 00:30 on 1 January in Shanghai is still 2026 in UTC: the number takes the local year.
    rig.setNow(local('2027-01-01T00:30'));
    try {
      const newYear = await rig.request('/api/work-orders', {
        as: 'electrician',
        body: { title: 'Pump noisy', device: 'pchw1' },
      });
      expect(newYear.body.number).toBe('WO-2027-000001');
    } finally {
      rig.setNow(MORNING);
    }
  });

  it('is accepted, reached and completed, each step with who and when; a closed order refuses more', async () => {
    const opened = (
      await rig.request('/api/work-orders', { as: 'electrician', body: { title: 'Leak at CHW valve' } })
    ).body;
    const id = opened.id;
    const step = (action: string, body: unknown = {}) =>
      rig.request(`/api/work-orders/${id}/${action}`, { as: 'electrician', body });
    rig.setNow(MORNING + 5 * MINUTE);
    expect((await step('accept')).body).toMatchObject({
      status: 'accepted',
      acceptedAt: MORNING + 5 * MINUTE,
    });
    rig.setNow(MORNING + 20 * MINUTE);
    expect((await step('arrive')).body).toMatchObject({
      status: 'on-site',
      arrivedAt: MORNING + 20 * MINUTE,
    });
    rig.setNow(MORNING + 50 * MINUTE);
    const done = await step('complete', { resolution: 'Gland packing tightened' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'completed',
      completedAt: MORNING + 50 * MINUTE,
      completedBy: 'electrician',
      resolution: 'Gland packing tightened',
    });
    const read = await rig.request(`/api/work-orders/${id}`, { as: 'manager' });
    expect(
      read.body.history.map((h: { action: string; user: string; at: number }) => [h.action, h.user, h.at]),
    ).toEqual([
      ['created', 'electrician', MORNING],
      ['accepted', 'electrician', MORNING + 5 * MINUTE],
      ['arrived', 'electrician', MORNING + 20 * MINUTE],
      ['completed', 'electrician', MORNING + 50 * MINUTE],
    ]);

    const again = await step('complete', { resolution: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain(`cannot complete work order ${opened.number}: it is completed`);
    expect((await step('accept')).status).toBe(409);
    // Nothing changed.
    expect((await rig.request(`/api/work-orders/${id}`, { as: 'manager' })).body.history).toHaveLength(4);
    rig.setNow(MORNING);
  });

  it('answers 404 to an unknown order and 400 to a bad body, creating nothing', async () => {
    expect(await rig.request('/api/work-orders/9999', { as: 'electrician' })).toMatchObject({
      status: 404,
      body: { error: 'no work order with id 9999' },
    });
    expect((await rig.request('/api/work-orders/9999/accept', { as: 'electrician', body: {} })).status).toBe(
      404,
    );
    const before = (await rig.request('/api/work-orders', { as: 'electrician' })).body.length;
    const bad = async (body: unknown) => rig.request('/api/work-orders', { as: 'electrician', body });
    expect(await bad({ device: 'ch1' })).toMatchObject({
      status: 400,
      body: { error: 'a work order needs a title' },
    });
    // With login on, the acting user is the session's: a body naming someone is refused.
    expect(await bad({ title: 'x', user: 'wang-wei' })).toMatchObject({
      status: 400,
      body: { error: 'the user is the one signed in' },
    });
    const unknownKey = await bad({ title: 'x', urgent: true });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error).toMatch(/urgent/);
    expect((await bad({ title: 'x', priority: 'urgent' })).status).toBe(400);
    expect((await bad({ title: 'x', device: 'ch9' })).body.error).toBe('unknown device "ch9"');
    expect((await rig.request('/api/work-orders', { as: 'electrician' })).body).toHaveLength(before);
  });

  it('opens one order from an active alarm, prefilled from it, and refuses a second while it is live', async () => {
    rig.set('ch1.tripped', true);
    const alarm = (await rig.request('/api/alarms/chiller-trip@ch1', { as: 'electrician' })).body;
    expect(alarm.state).toBe('active-unacknowledged');
    const first = await rig.request('/api/work-orders', {
      as: 'electrician',
      body: { alarmId: 'chiller-trip@ch1' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      title: alarm.message,
      priority: alarm.priority,
      source: 'alarm',
      alarmId: 'chiller-trip@ch1',
      device: 'ch1',
      team: 'water-ac',
    });
    expect(alarm.priority).toBe('critical');

    const second = await rig.request('/api/work-orders', {
      as: 'electrician',
      body: { alarmId: 'chiller-trip@ch1', title: 'again' },
    });
    expect(second.status).toBe(409);
    expect(second.body.error).toContain(`already has work order ${first.body.number}`);
    expect(
      (await rig.request('/api/work-orders?alarm=chiller-trip@ch1', { as: 'manager' })).body,
    ).toHaveLength(1);

    // Once that order is closed, the alarm may open another.
    await rig.request(`/api/work-orders/${first.body.id}/cancel`, {
      as: 'electrician',
      body: { reason: 'duplicate of the hotline call' },
    });
    expect(
      (await rig.request('/api/work-orders', { as: 'electrician', body: { alarmId: 'chiller-trip@ch1' } }))
        .status,
    ).toBe(201);
    expect(
      await rig.request('/api/work-orders', { as: 'electrician', body: { alarmId: 'no-such-alarm' } }),
    ).toMatchObject({ status: 400, body: { error: 'no alarm "no-such-alarm"' } });
  });
});

describe('work-order KPIs', () => {
  let rig: RecordsRig;
  beforeAll(async () => {
    rig = await startRecordsRig({ at: MORNING });
    const book = rig.records.workOrders;
    let n = 0;
    /** An order created at a local time, with its steps `minutes` after creation. */
    const order = (
      team: string,
      created: string,
      steps: { accept?: number; arrive?: number; complete?: number; cancel?: number },
    ) => {
      const at = local(created);
      const { id } = book.create(
        { title: `order ${++n}`, source: 'hotline', site: 'main', team, priority: 'medium' },
        'sun-hao',
        at,
      );
      if (steps.accept !== undefined) book.accept(id, 'sun-hao', at + steps.accept * MINUTE);
      if (steps.arrive !== undefined) book.arrive(id, 'sun-hao', at + steps.arrive * MINUTE);
      if (steps.complete !== undefined) book.complete(id, 'sun-hao', 'fixed', at + steps.complete * MINUTE);
      if (steps.cancel !== undefined) book.cancel(id, 'sun-hao', 'not ours', at + steps.cancel * MINUTE);
    };
    // water-ac, October
    order('water-ac', '2026-10-05T09:00', { arrive: 20, complete: 120 });
    order('water-ac', '2026-10-12T14:00', { arrive: 40, complete: 60 });
    order('water-ac', '2026-10-20T22:00', { arrive: 90, complete: 300 });
    // water-ac, November (local): 00:30 on 1 November is still 31 October in UTC.
    order('water-ac', '2026-11-01T00:30', { arrive: 25, complete: 65 });
    order('water-ac', '2026-11-03T10:00', { accept: 5, arrive: 15, complete: 45 });
    order('water-ac', '2026-11-04T10:00', { complete: 30 }); // fixed over the phone: no arrival
    order('water-ac', '2026-11-05T10:00', {}); // still open
    // electricians, November
    order('electricians', '2026-11-10T08:30', { arrive: 10, complete: 50 });
    order('electricians', '2026-11-11T08:30', { cancel: 5 });
  });
  afterAll(() => rig?.stop());

  const KPI_PATH = '/api/work-orders/kpis?from=2026-10-01&to=2026-12-01';
  const min = (m: number) => m * MINUTE;

  it('gives median and mean response and repair times per team and local month, as counted by hand', async () => {
    const { status, body } = await rig.request(KPI_PATH);
    expect(status).toBe(200);
    const figures = body.map((k: Record<string, unknown>) => ({
      team: k.team,
      teamName: k.teamName,
      month: k.month,
      created: k.created,
      completed: k.completed,
      cancelled: k.cancelled,
      open: k.open,
      responseMedianMs: k.responseMedianMs,
      responseMeanMs: k.responseMeanMs,
      mttrMedianMs: k.mttrMedianMs,
      mttrMeanMs: k.mttrMeanMs,
    }));
    expect(figures).toEqual([
      {
        team: 'electricians',
        teamName: 'Electricians on duty',
        month: '2026-11',
        created: 2,
        completed: 1,
        cancelled: 1,
        open: 0,
        // response [10] min; repair [50] min (the cancelled order counts in neither)
        responseMedianMs: min(10),
        responseMeanMs: min(10),
        mttrMedianMs: min(50),
        mttrMeanMs: min(50),
      },
      {
        team: 'water-ac',
        teamName: 'Water and air-conditioning on call',
        month: '2026-10',
        created: 3,
        completed: 3,
        cancelled: 0,
        open: 0,
        // response [20, 40, 90]: median 40, mean 150/3 = 50
        responseMedianMs: min(40),
        responseMeanMs: min(50),
        // repair [120, 60, 300]: sorted [60, 120, 300], median 120, mean 480/3 = 160
        mttrMedianMs: min(120),
        mttrMeanMs: min(160),
      },
      {
        team: 'water-ac',
        teamName: 'Water and air-conditioning on call',
        month: '2026-11',
        created: 4,
        completed: 3,
        cancelled: 0,
        open: 1,
        // response [25, 15] (the phone fix has no arrival): median (15+25)/2 = 20, mean 20
        responseMedianMs: min(20),
        responseMeanMs: min(20),
        // repair [65, 45, 30]: sorted [30, 45, 65], median 45, mean 140/3 min = 2 800 000 ms
        mttrMedianMs: min(45),
        mttrMeanMs: 2_800_000,
      },
    ]);
    // One team only.
    expect((await rig.request(`${KPI_PATH}&team=electricians`)).body).toHaveLength(1);
  });

  it('downloads the same figures as CSV, in minutes', async () => {
    const json = (await rig.request(KPI_PATH)).body;
    const csv = await rig.request(`${KPI_PATH}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="?work-order-kpis\.csv"?$/);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'team',
      'month',
      'created',
      'completed',
      'cancelled',
      'open',
      'response median min',
      'response mean min',
      'repair median min (MTTR)',
      'repair mean min',
    ]);
    const minutes = (ms: number | null) => csvNumber(ms === null ? null : ms / MINUTE);
    expect(rows).toEqual(
      json.map((k: Record<string, number | string | null>) => [
        k.teamName,
        k.month,
        String(k.created),
        String(k.completed),
        String(k.cancelled),
        String(k.open),
        minutes(k.responseMedianMs as number),
        minutes(k.responseMeanMs as number),
        minutes(k.mttrMedianMs as number),
        minutes(k.mttrMeanMs as number),
      ]),
    );
    // 140/3 minutes, rounded to 3 decimals.
    expect(rows[2]?.[9]).toBe('46.667');
  });

  it('answers 400 to a period that ends before it starts or cannot be read', async () => {
    expect(await rig.request('/api/work-orders/kpis?from=2026-11-01&to=2026-10-01')).toMatchObject({
      status: 400,
      body: { error: 'from must be before to' },
    });
    const impossible = await rig.request('/api/work-orders/kpis?from=2026-02-30&to=2026-03-31');
    expect(impossible.status).toBe(400);
    expect(impossible.body.error).toMatch(/2026-02-30/);
  });
});

describe('who may do what, with login on', () => {
  let rig: RecordsRig;
  let orderId: number;
  beforeAll(async () => {
    rig = await startRecordsRig({ login: true, at: MORNING });
    orderId = (await rig.request('/api/work-orders', { as: 'electrician', body: { title: 'Check pump 2' } }))
      .body.id;
    await rig.request('/api/handovers', { as: 'electrician', body: { team: 'water-ac', notes: 'quiet' } });
  });
  afterAll(() => rig?.stop());

  const POSTS: [string, unknown][] = [
    ['/api/work-orders', { title: 'from the manager' }],
    ['/api/work-orders/1/accept', {}],
    ['/api/work-orders/1/arrive', {}],
    ['/api/work-orders/1/complete', { resolution: 'done' }],
    ['/api/work-orders/1/cancel', { reason: 'no' }],
    ['/api/work-orders/1/comment', { text: 'hello' }],
    ['/api/handovers', { team: 'water-ac', notes: 'from the manager' }],
    ['/api/handovers/1/accept', {}],
    ['/api/maintenance/ch2-annual-service/complete', {}],
  ];
  const GETS = [
    '/api/work-orders',
    '/api/work-orders/1',
    '/api/work-orders/kpis',
    '/api/work-orders?format=csv',
    '/api/handovers',
    '/api/handovers/current',
    '/api/maintenance',
    '/api/maintenance/history',
    '/api/operation-log?date=2026-11-24&device=ch1',
    '/api/assets',
    '/api/assets/ch1/label.svg',
  ];

  it('lets the energy manager read everything (200) and act on nothing (403)', async () => {
    for (const path of GETS) expect((await rig.request(path, { as: 'manager' })).status, path).toBe(200);
    for (const [path, body] of POSTS)
      expect(await rig.request(path, { as: 'manager', body }), path).toMatchObject({
        status: 403,
        body: { error: 'forbidden' },
      });
    // Nothing moved: the order still open with one entry, the handover unaccepted, no maintenance.
    const order = (await rig.request(`/api/work-orders/${orderId}`, { as: 'manager' })).body;
    expect(order).toMatchObject({ status: 'open', history: [{ action: 'created' }] });
    expect((await rig.request('/api/work-orders', { as: 'manager' })).body).toHaveLength(1);
    expect((await rig.request('/api/handovers', { as: 'manager' })).body).toMatchObject([
      { outgoingUser: 'electrician', notes: 'quiet' },
    ]);
    expect((await rig.request('/api/handovers', { as: 'manager' })).body[0].incomingUser).toBeUndefined();
    expect((await rig.request('/api/maintenance/history', { as: 'manager' })).body).toEqual([]);
  });

  it('refuses everything to nobody (401)', async () => {
    for (const path of GETS) expect((await rig.request(path)).status, path).toBe(401);
    for (const [path, body] of POSTS) expect((await rig.request(path, { body })).status, path).toBe(401);
  });

  it("lets the electrician act, and the record names the session's user", async () => {
    const comment = await rig.request(`/api/work-orders/${orderId}/comment`, {
      as: 'electrician',
      body: { text: 'parts ordered' },
    });
    expect(comment.status).toBe(200);
    expect(comment.body.history.at(-1)).toMatchObject({
      action: 'commented',
      user: 'electrician',
      comment: 'parts ordered',
    });
    const accepted = await rig.request(`/api/work-orders/${orderId}/accept`, { as: 'electrician', body: {} });
    expect(accepted.body).toMatchObject({ acceptedBy: 'electrician' });
    // Naming someone else in the body is refused, not recorded.
    expect(
      (
        await rig.request(`/api/work-orders/${orderId}/arrive`, {
          as: 'electrician',
          body: { user: 'wang-wei' },
        })
      ).status,
    ).toBe(400);
    expect((await rig.request(`/api/work-orders/${orderId}`, { as: 'electrician' })).body.status).toBe(
      'accepted',
    );
  });
});

describe('shift handover', () => {
  let rig: RecordsRig;
  beforeAll(async () => {
    rig = await startRecordsRig({ login: true, at: MORNING });
  });
  afterAll(() => rig?.stop());

  it("shows the roster's current shift, day or night", async () => {
    const day = (await rig.request('/api/handovers/current?team=water-ac', { as: 'electrician' })).body;
    expect(day.shift).toMatchObject({
      shift: 'day',
      period: 'day',
      dutyDate: '2026-11-25',
      from: local('2026-11-25T08:00'),
      to: local('2026-11-25T20:00'),
    });
    expect(day).toMatchObject({ team: 'water-ac', handover: null, pending: [] });
    // Without a team: the first team of notify.yaml.
    expect((await rig.request('/api/handovers/current', { as: 'electrician' })).body.team).toBe(
      'electricians',
    );
    try {
      // Wednesday's night runs to Thursday 08:00 and keeps Wednesday's date.
      for (const at of ['2026-11-25T23:30', '2026-11-26T07:59']) {
        rig.setNow(local(at));
        const night = (await rig.request('/api/handovers/current?team=water-ac', { as: 'electrician' })).body;
        expect(night.shift, at).toMatchObject({
          shift: 'night',
          dutyDate: '2026-11-25',
          from: local('2026-11-25T20:00'),
          to: local('2026-11-26T08:00'),
        });
      }
    } finally {
      rig.setNow(MORNING);
    }
    expect((await rig.request('/api/handovers/current?team=plumbers', { as: 'electrician' })).status).toBe(
      400,
    );
  });

  it('summarises the alarms of the shift for the team, with who acknowledged them', async () => {
    rig.setNow(MORNING + 5 * MINUTE);
    rig.set('ch1.tripped', true);
    rig.set('dr1-incomer.breaker_closed', false); // the electricians' alarm, not water-ac's
    rig.setNow(MORNING + 7 * MINUTE);
    const ack = await rig.request('/api/alarms/chiller-trip@ch1/ack', {
      as: 'electrician',
      body: { comment: 'reset on site' },
    });
    expect(ack.status).toBe(200);
    const view = (await rig.request('/api/handovers/current?team=water-ac', { as: 'manager' })).body;
    const trip = (await rig.request('/api/alarms/chiller-trip@ch1', { as: 'manager' })).body;
    expect(view.summary.alarms).toEqual([
      {
        alarmId: 'chiller-trip@ch1',
        priority: 'critical',
        message: trip.message,
        messageZh: trip.messageZh,
        activatedAt: MORNING + 5 * MINUTE,
        acknowledgedAt: MORNING + 7 * MINUTE,
        acknowledgedBy: 'electrician',
      },
    ]);
    expect(view.summary.openAlarms.map((a: { id: string }) => a.id)).toContain('chiller-trip@ch1');
    const electricians = (await rig.request('/api/handovers/current?team=electricians', { as: 'manager' }))
      .body;
    expect(electricians.summary.alarms.map((a: { alarmId: string }) => a.alarmId)).toContain(
      'incomer-breaker-open@dr1-incomer',
    );
    expect(electricians.summary.alarms.map((a: { alarmId: string }) => a.alarmId)).not.toContain(
      'chiller-trip@ch1',
    );
  });

  it('is handed over by one electrician and accepted by someone else, once', async () => {
    rig.setNow(local('2026-11-25T19:50'));
    const submitted = await rig.request('/api/handovers', {
      as: 'electrician',
      body: { team: 'water-ac', notes: 'Chiller 1 tripped at 10:05 and was reset; watch its condenser.' },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({
      team: 'water-ac',
      shift: 'day',
      dutyDate: '2026-11-25',
      outgoingUser: 'electrician',
      submittedAt: local('2026-11-25T19:50'),
    });
    expect(submitted.body.summary.alarms[0]).toMatchObject({
      alarmId: 'chiller-trip@ch1',
      acknowledgedBy: 'electrician',
    });
    const id = submitted.body.id;
    const current = (await rig.request('/api/handovers/current?team=water-ac', { as: 'electrician' })).body;
    expect(current.handover.id).toBe(id);
    expect(current.pending.map((h: { id: number }) => h.id)).toEqual([id]);

    const ownAccept = await rig.request(`/api/handovers/${id}/accept`, { as: 'electrician', body: {} });
    expect(ownAccept.status).toBe(400);
    expect(ownAccept.body.error).toBe(
      'electrician wrote the water-ac day shift of 2026-11-25 handover and cannot also accept it: the incoming shift must',
    );
    rig.setNow(local('2026-11-25T20:05'));
    const accepted = await rig.request(`/api/handovers/${id}/accept`, {
      as: 'admin',
      body: { comment: 'read and understood' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      incomingUser: 'admin',
      acceptedAt: local('2026-11-25T20:05'),
      acceptComment: 'read and understood',
    });
    const twice = await rig.request(`/api/handovers/${id}/accept`, { as: 'admin', body: {} });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatch(/already accepted by admin/);
    expect((await rig.request('/api/handovers/999/accept', { as: 'admin', body: {} })).status).toBe(404);
    // The handovers list (and its CSV) names both.
    const csv = parseCsv((await rig.request('/api/handovers?format=csv', { as: 'manager' })).text);
    expect(csv[1]?.slice(0, 9)).toEqual([
      'water-ac',
      '2026-11-25',
      'day',
      '2026-11-25 08:00',
      '2026-11-25 20:00',
      'electrician',
      '2026-11-25 19:50',
      'admin',
      '2026-11-25 20:05',
    ]);
    rig.setNow(MORNING);
  });
});

describe('planned maintenance (the demo plan in config/maintenance.yaml)', () => {
  let rig: RecordsRig;
  const overdue: Map<string, boolean>[] = [];
  beforeAll(async () => {
    rig = await startRecordsRig({ login: true, at: MORNING });
    rig.bus.subscribe((values) => {
      const flags = values.filter((v) => v.id.endsWith('.maintenance_overdue'));
      if (flags.length) overdue.push(new Map(flags.map((v) => [v.id, v.value as boolean])));
    });
    // Chiller 1's run-hours counter as acquisition reads it; its oil analysis is due every 4000 h from 19,500 h.
    rig.set('ch1.run_hours', 23_600);
    rig.records.start(50);
  });
  afterAll(() => rig?.stop());

  it('lists overdue tasks first, most overdue first, with their messages', async () => {
    const { status, body } = await rig.request('/api/maintenance', { as: 'manager' });
    expect(status).toBe(200);
    const states = body.map((s: { state: string }) => s.state);
    expect(states.slice(0, 3)).toEqual(['overdue', 'overdue', 'overdue']);
    expect(states.slice(3)).not.toContain('overdue');
    // Today is 2026-11-25. Most overdue by share of the interval first:
    // DR2 thermography, every 6 months from 2026-04-20: due 2026-10-20, 11 + 25 = 36 days late (36/183 of it);
    // Chiller 2 annual service from 2025-11-02: due 2026-11-02, 23 days late (23/365);
    // Chiller 1 oil analysis every 4000 h from 19,500 h: counter at 23,600 h, 100 h late (100/4000).
    expect(
      body.slice(0, 3).map((s: { task: { id: string }; message: string }) => [s.task.id, s.message]),
    ).toEqual([
      [
        'dr2-thermography',
        'DR2 switchboard thermographic survey (dr2-incomer): overdue by 36 days (due 2026-10-20)',
      ],
      ['ch2-annual-service', 'Chiller 2 annual service (ch2): overdue by 23 days (due 2026-11-02)'],
      [
        'ch1-oil-analysis',
        'Chiller 1 compressor oil analysis (ch1): overdue by 100 h (due at 23,500 h, counter at 23,600 h)',
      ],
    ]);
    // Chiller 1 annual service from 2025-12-10: due 2026-12-10, 5 + 10 = 15 days ahead, inside the 30-day notice.
    expect(body[3]).toMatchObject({
      state: 'due-soon',
      message: 'Chiller 1 annual service (ch1): due in 15 days (2026-12-10)',
      deviceName: 'Chiller 1',
    });
    // Pumps whose counters nobody published: unknown, and said why.
    expect(body.find((s: { task: { id: string } }) => s.task.id === 'pchw1-bearings')).toMatchObject({
      state: 'unknown',
      message: expect.stringContaining('run hours unreadable (point pchw1.run_hours)'),
    });
    const csv = parseCsv((await rig.request('/api/maintenance?format=csv', { as: 'manager' })).text);
    expect(csv.slice(1).map((r) => [r[0], r[3]])).toEqual(
      body.map((s: { task: { id: string }; state: string }) => [s.task.id, s.state]),
    );
  });

  it("publishes each maintained device's overdue flag on the bus", async () => {
    const first = await until('a maintenance check', () => overdue[0]);
    expect(Object.fromEntries(first)).toEqual({
      'ch1.maintenance_overdue': true,
      'ch2.maintenance_overdue': true,
      'pchw1.maintenance_overdue': false,
      'pchw2.maintenance_overdue': false,
      'pbw1.maintenance_overdue': false,
      'o2-station.maintenance_overdue': false,
      'dr1-incomer.maintenance_overdue': false,
      'dr2-incomer.maintenance_overdue': true,
      // The lifts' visits (every 15 days from 2026-11-20 and -24) and certificates (2027) are not due yet.
      'lift-ip1.maintenance_overdue': false,
      'lift-ip2.maintenance_overdue': false,
      'lift-op1.maintenance_overdue': false,
      'lift-op2.maintenance_overdue': false,
    });
  });

  it('records a task done by the signed-in user, after which it is ok and its flag clears', async () => {
    const done = await rig.request('/api/maintenance/ch2-annual-service/complete', {
      as: 'electrician',
      body: { notes: 'Annual service by the maker' },
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({
      taskId: 'ch2-annual-service',
      device: 'ch2',
      doneBy: 'electrician',
      doneAt: MORNING,
      notes: 'Annual service by the maker',
    });
    const noReading = await rig.request('/api/maintenance/ch1-oil-analysis/complete', {
      as: 'electrician',
      body: {},
    });
    expect(noReading.status).toBe(400);
    expect(noReading.body.error).toMatch(/give the counter reading/);
    expect(
      (
        await rig.request('/api/maintenance/ch1-oil-analysis/complete', {
          as: 'electrician',
          body: { runHours: 23_600 },
        })
      ).status,
    ).toBe(201);
    expect(
      (await rig.request('/api/maintenance/no-such-task/complete', { as: 'electrician', body: {} })).body,
    ).toEqual({
      error: 'unknown maintenance task "no-such-task"',
    });

    const status = (await rig.request('/api/maintenance', { as: 'manager' })).body;
    const of = (id: string) => status.find((s: { task: { id: string } }) => s.task.id === id);
    // Done today: next 2027-11-25, 365 days on; oil next at 23,600 + 4000 = 27,600 h.
    expect(of('ch2-annual-service')).toMatchObject({
      state: 'ok',
      lastDoneBy: 'electrician',
      message: 'Chiller 2 annual service (ch2): next due 2027-11-25 (in 365 days)',
    });
    expect(of('ch1-oil-analysis')).toMatchObject({
      state: 'ok',
      message:
        'Chiller 1 compressor oil analysis (ch1): next due in 4,000 h (at 27,600 h, counter at 23,600 h)',
    });

    const history = (await rig.request('/api/maintenance/history', { as: 'manager' })).body;
    expect(history.map((r: { taskId: string; doneBy: string }) => [r.taskId, r.doneBy]).sort()).toEqual([
      ['ch1-oil-analysis', 'electrician'],
      ['ch2-annual-service', 'electrician'],
    ]);
    expect(
      (await rig.request('/api/maintenance/history?task=ch2-annual-service', { as: 'manager' })).body,
    ).toHaveLength(1);

    const seen = overdue.length;
    const next = await until('the next maintenance check', () => overdue[seen]);
    expect(next.get('ch2.maintenance_overdue')).toBe(false);
    // Chiller 1: oil analysis done, annual service only due soon.
    expect(next.get('ch1.maintenance_overdue')).toBe(false);
    expect(next.get('dr2-incomer.maintenance_overdue')).toBe(true);
  });
});

describe('operation log of a simulated day shift', () => {
  let rig: RecordsRig;
  const SHIFT = { from: local('2026-11-24T08:00'), to: local('2026-11-24T20:00') };
  const chillerPlant: string[] = [];
  /** Chiller 1's readings inside the shift, as written. */
  const supply: number[] = [];
  const runningMinutes = { on: 0, all: 0 };

  beforeAll(async () => {
    rig = await startRecordsRig({ at: MORNING });
    chillerPlant.push(
      ...rig.config.devices.filter((d) => d.enabled && d.room === 'chiller-plant').map((d) => d.id),
    );
    const inRoom = (v: PointValue) => chillerPlant.includes(v.id.slice(0, v.id.indexOf('.')));
    const history = simulateHistory(rig.config, {
      from: SHIFT.from - HOUR,
      to: SHIFT.to + HOUR,
      stepMs: MINUTE,
    });
    let pending: PointValue[] = [];
    for (const batch of history) {
      const kept = batch.filter(inRoom);
      for (const v of kept) {
        if (v.ts < SHIFT.from || v.ts >= SHIFT.to) continue;
        if (v.id === 'ch1.chw_supply_temp') supply.push(v.value as number);
        if (v.id === 'ch1.running') {
          runningMinutes.all++;
          if (v.value) runningMinutes.on++;
        }
      }
      pending.push(...kept);
      if (pending.length > 20_000) {
        await rig.store.write(pending);
        pending = [];
      }
    }
    await rig.store.write(pending);
  });
  afterAll(() => rig?.stop());

  it("gives Chiller 1's run hours and the range of its values over the shift", async () => {
    const { status, body } = await rig.request('/api/operation-log?date=2026-11-24&shift=day&device=ch1');
    expect(status).toBe(200);
    expect(body.shift).toMatchObject({ shift: 'day', dutyDate: '2026-11-24', ...SHIFT });
    expect(body.logs).toHaveLength(1);
    const [log] = body.logs;
    expect(log).toMatchObject({ device: 'ch1', deviceName: 'Chiller 1', roomName: 'Chiller Plant' });
    // 720 one-minute samples in 12 hours; each "on" minute is a minute run.
    expect(runningMinutes.all).toBe(720);
    expect(log.running.runHours).toBeCloseTo(runningMinutes.on / 60, 2);
    expect(log.running.runHours).toBeGreaterThan(11.9);
    const temp = log.values.find((v: { point: string }) => v.point === 'chw_supply_temp');
    expect(temp).toMatchObject({ unit: '°C', samples: supply.length });
    expect(temp.min).toBe(Math.min(...supply));
    expect(temp.max).toBe(Math.max(...supply));
    expect(temp.mean).toBeCloseTo(supply.reduce((a, b) => a + b, 0) / supply.length, 9);
    expect(temp.min).toBeLessThanOrEqual(temp.mean);
    expect(temp.mean).toBeLessThanOrEqual(temp.max);
  });

  it('lists every device of a room', async () => {
    const { body } = await rig.request('/api/operation-log?date=2026-11-24&shift=day&room=chiller-plant');
    expect(chillerPlant.length).toBeGreaterThan(2);
    expect(body.logs.map((l: { device: string }) => l.device)).toEqual(chillerPlant);
    for (const log of body.logs) expect(log.dataCoverage, log.device).toBeCloseTo(1, 2);
  });

  it('answers 400 to a date, shift or device it cannot read', async () => {
    const bad = async (query: string) => (await rig.request(`/api/operation-log?${query}`)).body;
    expect(await rig.request('/api/operation-log?date=24.11.2026&device=ch1')).toMatchObject({
      status: 400,
      body: { error: 'date: expected "YYYY-MM-DD" (got "24.11.2026")' },
    });
    // Looks like a date, is none.
    const impossible = await rig.request('/api/operation-log?date=2026-02-30&device=ch1');
    expect(impossible.status).toBe(400);
    expect(impossible.body.error).toMatch(/2026-02-30/);
    expect((await bad('date=2026-11-24&shift=evening&device=ch1')).error).toBe(
      'shift: expected day or night (got "evening")',
    );
    expect((await bad('date=2026-11-24&device=ch9')).error).toBe('unknown device "ch9"');
    expect((await bad('date=2026-11-24&room=nowhere')).error).toBe('no equipment in room "nowhere"');
    expect((await bad('date=2026-11-24')).error).toMatch(/say which equipment/);
  });

  it('downloads as CSV, one row per value with the run hours on the first', async () => {
    const json = (await rig.request('/api/operation-log?date=2026-11-24&shift=day&device=ch1')).body.logs[0];
    const csv = await rig.request('/api/operation-log?date=2026-11-24&shift=day&device=ch1&format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="?operation-log-2026-11-24-day\.csv"?$/,
    );
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'device',
      'shift',
      'run hours',
      'starts',
      'stops',
      'point',
      'unit',
      'min',
      'max',
      'mean',
      'alarms',
    ]);
    expect(rows).toHaveLength(json.values.length);
    expect(rows[0]?.slice(0, 3)).toEqual(['Chiller 1', '2026-11-24 day', csvNumber(json.running.runHours)]);
    json.values.forEach(
      (v: { label: string; unit: string; min: number; max: number; mean: number }, i: number) => {
        expect(rows[i]?.slice(5, 10)).toEqual([
          v.label,
          v.unit,
          csvNumber(v.min),
          csvNumber(v.max),
          csvNumber(v.mean),
        ]);
      },
    );
  });
});

describe('asset ledger and labels', () => {
  let rig: RecordsRig;
  beforeAll(async () => {
    rig = await startRecordsRig({ at: MORNING });
  });
  afterAll(() => rig?.stop());

  /** GET with a Host header of our choosing (fetch will not send one). */
  const withHost = (path: string, host: string) =>
    new Promise<{ status: number; type: string | undefined; text: string }>((resolvePromise, reject) => {
      const url = new URL(`${rig.url}${path}`);
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolvePromise({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('lists every enabled device with its asset number from config/devices', async () => {
    const { status, body } = await rig.request('/api/assets');
    expect(status).toBe(200);
    const enabled = rig.config.devices.filter((d) => d.enabled);
    expect(body.map((a: AssetEntry) => a.device)).toEqual(enabled.map((d) => d.id));
    for (const device of enabled)
      expect(body.find((a: AssetEntry) => a.device === device.id)?.assetNumber, device.id).toBe(
        device.asset?.number,
      );
    expect(body.find((a: AssetEntry) => a.device === 'ch1')).toMatchObject({
      assetNumber: 'EC-CH-001',
      maker: 'Generic',
      model: 'WCC-1400',
      installed: '2019-05-20',
      location: { roomName: 'Chiller Plant', buildingName: 'Energy Centre' },
      url: `${rig.url}/#/device/ch1`,
    });
    const csv = parseCsv((await rig.request('/api/assets?format=csv')).text);
    expect(csv[0]?.[0]).toBe('asset number');
    expect(csv.slice(1).map((r) => [r[1], r[0]])).toEqual(
      body.map((a: AssetEntry) => [a.device, a.assetNumber ?? '']),
    );
  });

  it('prints a label with the asset number and a QR code of the device page', async () => {
    const entry = (await rig.request('/api/assets')).body.find((a: AssetEntry) => a.device === 'ch1');
    const label = await rig.request('/api/assets/ch1/label.svg');
    expect(label.status).toBe(200);
    expect(label.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(label.text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(label.text).toContain('>EC-CH-001</text>');
    // The QR code: a nested <svg> with its modules as a path.
    expect(label.text).toMatch(/<svg x="1" y="1" width="27" height="27"[^>]*>.*<path/);
    // …encoding this server's device page.
    expect(label.text).toBe(await assetLabelSvg({ ...entry, url: `${rig.url}/#/device/ch1` }));
    expect(await rig.request('/api/assets/nope/label.svg')).toMatchObject({
      status: 404,
      body: { error: 'no device "nope"' },
    });
  });

  it('prints the label in Chinese on asking, a long name cut to the label', async () => {
    const zh = await rig.request('/api/assets/ch1/label.svg?lang=zh');
    expect(zh.text).toContain('>1号冷水机组</text>');
    expect(zh.text).toContain('>冷冻站</text>');
    expect(zh.text).toContain('>EC-CH-001</text>');
    // A Chinese character is a full em wide: 11 of them at 2.8 mm fill the 31.5 mm text column.
    const entry = (await rig.request('/api/assets')).body.find((a: AssetEntry) => a.device === 'ch1');
    const long = await assetLabelSvg({ ...entry, nameZh: '一号楼地下二层冷冻站一号离心式冷水机组' }, 'zh');
    const line = /font-size="2.8">([^<]*)</.exec(long)?.[1] ?? '';
    expect(line).toBe('一号楼地下二层冷冻站…');
  });

  it('does not put a hostile Host header into the label or the ledger', async () => {
    const entry = (await rig.request('/api/assets')).body.find((a: AssetEntry) => a.device === 'ch1');
    const safe = await assetLabelSvg({ ...entry, url: 'http://localhost/#/device/ch1' });
    for (const host of [
      'evil.example/"><script>alert(1)</script>',
      'evil.example/phish?x=',
      'a@evil.example',
    ]) {
      const label = await withHost('/api/assets/ch1/label.svg', host);
      expect(label.status, host).toBe(200);
      expect(label.text, host).toBe(safe);
      expect(label.text).not.toContain('evil');
      const ledger = JSON.parse((await withHost('/api/assets', host)).text) as AssetEntry[];
      expect(ledger.find((a) => a.device === 'ch1')?.url, host).toBe('http://localhost/#/device/ch1');
    }
  });
});

describe('work orders opened by critical alarms themselves', () => {
  let rig: RecordsRig;
  let stop: () => void;
  beforeAll(async () => {
    rig = await startRecordsRig({ at: MORNING });
    stop = rig.records.followAlarms(['critical']);
  });
  afterAll(async () => {
    stop();
    await rig?.stop();
  });

  it('opens one order per critical activation, none for a lower priority, none twice while open', async () => {
    rig.set('ch1.tripped', true);
    const orders = () => rig.records.workOrders.list({ alarmId: 'chiller-trip@ch1' });
    expect(orders()).toHaveLength(1);
    expect(orders()[0]).toMatchObject({
      source: 'alarm',
      createdBy: 'plantwatch',
      priority: 'critical',
      team: 'water-ac',
    });
    // The trip clears and comes back while the order is still open: still one order.
    rig.setNow(rig.now() + 60_000);
    rig.set('ch1.tripped', false);
    rig.setNow(rig.now() + 60_000);
    rig.set('ch1.tripped', true);
    expect(orders()).toHaveLength(1);
    // Once it is done, the next trip opens a new one.
    rig.records.workOrders.complete(orders()[0]?.id as number, 'electrician', 'reset, cause found');
    rig.setNow(rig.now() + 60_000);
    rig.set('ch1.tripped', false);
    rig.setNow(rig.now() + 60_000);
    rig.set('ch1.tripped', true);
    expect(orders()).toHaveLength(2);
    // A high-priority alarm (pump fault) opens none.
    rig.set('pchw1.fault', true);
    expect(rig.alarms.get('pump-fault@pchw1')).toMatchObject({
      priority: 'high',
      state: 'active-unacknowledged',
    });
    expect(rig.records.workOrders.list({ device: 'pchw1' })).toHaveLength(0);
  });
});

describe('every answer fits its published schema (src/api-types/records.ts)', () => {
  let rig: RecordsRig;
  beforeAll(async () => {
    rig = await startRecordsRig({ login: true, at: MORNING });
  });
  afterAll(() => rig?.stop());

  /** The schema's complaints about an answer, as "<route>: <path>: <message>". */
  const misfits = (name: string, schema: { safeParse(v: unknown): SafeParse }, body: unknown) => {
    const parsed = schema.safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${name}: ${i.path.join('.')}: ${i.message}`);
  };

  it('for work orders, handovers, maintenance, operation logs and assets, written and read back', async () => {
    const problems: string[] = [];
    const as = 'electrician' as const;
    const post = async (path: string, body: unknown, route: { response: Schema }, who: Account = as) => {
      const reply = await rig.request(path, { as: who, body });
      expect(reply.status, `${path}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
      problems.push(...misfits(`POST ${path}`, route.response, reply.body));
      return reply.body;
    };
    const order = await post(
      '/api/work-orders',
      { title: 'Ward 5 too warm', description: 'since 9', device: 'ch1', reporter: 'ext. 5512' },
      api.newWorkOrderRoute,
    );
    await post(`/api/work-orders/${order.id}/accept`, {}, api.workOrderStepRoutes.accept);
    await post(
      `/api/work-orders/${order.id}/complete`,
      { resolution: 'Reset' },
      api.workOrderStepRoutes.complete,
    );
    await post('/api/work-orders', { title: 'Lamp out', source: 'patrol' }, api.newWorkOrderRoute);
    const handover = await post('/api/handovers', { team: 'water-ac', notes: 'Quiet' }, api.newHandoverRoute);
    await post(`/api/handovers/${handover.id}/accept`, { comment: 'ok' }, api.acceptHandoverRoute, 'admin');
    await post(
      '/api/maintenance/ch1-annual-service/complete',
      { notes: 'Done', at: MORNING - HOUR },
      api.completeTaskRoute,
    );
    const reads: [string, { response: Schema }][] = [
      ['/api/work-orders', api.workOrdersRoute],
      ['/api/work-orders/kpis?from=2026-11&to=2026-12', api.workOrderKpisRoute],
      [`/api/work-orders/${order.id}`, api.workOrderRoute],
      ['/api/handovers/current?team=water-ac', api.currentHandoverRoute],
      ['/api/handovers', api.handoversRoute],
      ['/api/maintenance', api.maintenanceRoute],
      ['/api/maintenance/history', api.maintenanceHistoryRoute],
      ['/api/operation-log?date=2026-11-24&shift=day&room=chiller-plant', api.operationLogRoute],
      ['/api/assets', api.assetsRoute],
    ];
    for (const [path, route] of reads) {
      const { status, body } = await rig.request(path, { as });
      expect(status, path).toBe(200);
      problems.push(...misfits(`GET ${path}`, route.response, body));
    }
    expect(problems).toEqual([]);
  });
});
