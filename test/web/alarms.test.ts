/**
 * The alarm API over real HTTP: the list an electrician sees, acknowledging and shelving with
 * who and why, the journal with filters, and clear errors for bad requests.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebServer } from '../../src/web/index.js';
import { type AlarmHarness, alarmHarness } from '../alarms/harness.js';
import { startBareWebServer } from '../helpers/web.js';

const RULES = [
  { id: 'trip', profile: 'chiller', type: 'state', point: 'tripped', equals: true, priority: 'critical' },
  { id: 'chw-high', profile: 'chiller', type: 'high', point: 'chw_supply_temp', limit: 9, priority: 'high' },
];

let h: AlarmHarness;
let web: WebServer;

beforeEach(async () => {
  h = alarmHarness(RULES);
  web = await startBareWebServer({ alarms: h.service });
});
afterEach(async () => {
  await web.stop();
  await h.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes; each test asserts the one it expects.
type Json = any;
const get = async (path: string): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${web.url}${path}`);
  return { status: res.status, body: await res.json() };
};
const post = async (path: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${web.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

describe('GET /api/alarms', () => {
  it('lists what is wrong now, most urgent first, and all alarms on request', async () => {
    h.set('ch1.chw_supply_temp', 10);
    h.set('ch2.tripped', true);
    const { body } = await get('/api/alarms');
    expect(body.map((a: { id: string; state: string }) => [a.id, a.state])).toEqual([
      ['trip@ch2', 'active-unacknowledged'],
      ['chw-high@ch1', 'active-unacknowledged'],
    ]);
    // The two rules on the two chillers, and critical ch2's own comm-loss alarm (alarms/rules.ts).
    expect((await get('/api/alarms?all=1')).body).toHaveLength(5);
    expect((await get('/api/alarms?priority=high')).body.map((a: { id: string }) => a.id)).toEqual([
      'chw-high@ch1',
    ]);
    expect((await get('/api/alarms?device=ch2')).body.map((a: { id: string }) => a.id)).toEqual(['trip@ch2']);
    expect((await get('/api/alarms/trip@ch2')).body).toMatchObject({
      deviceName: 'Chiller 2',
      priority: 'critical',
    });
  });

  it('answers 400 to an unknown priority or state and 404 to an unknown alarm', async () => {
    expect(await get('/api/alarms?priority=urgent')).toEqual({
      status: 400,
      body: { error: 'priority: expected any of critical, high, medium, low (got "urgent")' },
    });
    expect((await get('/api/alarms?state=on')).status).toBe(400);
    expect(await get('/api/alarms/nope')).toEqual({ status: 404, body: { error: 'no alarm "nope"' } });
  });
});

describe('operator actions', () => {
  it('acknowledges with the user and comment, and the journal shows it', async () => {
    h.set('ch2.tripped', true);
    const { status, body } = await post('/api/alarms/trip@ch2/ack', {
      user: 'wang-wei',
      comment: 'on my way',
    });
    expect(status).toBe(200);
    expect(body.alarm).toMatchObject({ state: 'active-acknowledged', acknowledgedBy: 'wang-wei' });
    const history = await get('/api/alarms/history?alarm=trip@ch2');
    expect(
      history.body.map((e: { kind: string; user?: string; comment?: string }) => [e.kind, e.user, e.comment]),
    ).toEqual([
      ['acknowledged', 'wang-wei', 'on my way'],
      ['activated', undefined, undefined],
    ]);
    expect(history.body[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('refuses an action without a user, a second acknowledgement, and an over-long shelving', async () => {
    h.set('ch2.tripped', true);
    expect(await post('/api/alarms/trip@ch2/ack', {})).toEqual({
      status: 400,
      body: { error: 'user: who is acting (required)' },
    });
    await post('/api/alarms/trip@ch2/ack', { user: 'wang-wei' });
    expect(await post('/api/alarms/trip@ch2/ack', { user: 'li-na' })).toEqual({
      status: 409,
      body: { error: 'nothing to acknowledge: the alarm is active-acknowledged' },
    });
    expect(
      (await post('/api/alarms/trip@ch2/shelve', { user: 'li-na', reason: 'noisy', duration: '9h' })).status,
    ).toBe(400);
    expect((await post('/api/alarms/trip@ch2/shelve', { user: 'li-na', duration: '1h' })).body.error).toMatch(
      /reason/,
    );
    expect(
      (await post('/api/alarms/trip@ch2/shelve', { user: 'li-na', reason: 'x', duration: 'soon' })).status,
    ).toBe(400);
    expect((await post('/api/alarms/nope/ack', { user: 'li-na' })).status).toBe(404);
    expect((await post('/api/alarms/trip@ch2/ack', { user: 'li-na', admin: true })).status).toBe(400);
  });

  it('shelves for a time with a reason, unshelves, and takes out of service and back', async () => {
    const shelved = await post('/api/alarms/chw-high@ch1/shelve', {
      user: 'li-na',
      reason: 'sensor replaced tonight',
      duration: '2h',
    });
    expect(shelved.body.alarm).toMatchObject({
      state: 'shelved',
      shelvedBy: 'li-na',
      reason: 'sensor replaced tonight',
    });
    expect(shelved.body.alarm.shelvedUntil - Date.now()).toBeGreaterThan(2 * 3_600_000 - 5000);
    expect((await post('/api/alarms/chw-high@ch1/unshelve', { user: 'li-na' })).body.alarm.state).toBe(
      'normal',
    );
    expect(
      (await post('/api/alarms/chw-high@ch1/out-of-service', { user: 'chen-gang', reason: 'overhaul' })).body
        .alarm.state,
    ).toBe('out-of-service');
    expect(
      (await post('/api/alarms/chw-high@ch1/return-to-service', { user: 'chen-gang' })).body.alarm.state,
    ).toBe('normal');
  });
});

describe('GET /api/alarms/history', () => {
  it('filters by priority and kind, bounds the limit, and rejects bad times', async () => {
    h.set('ch1.chw_supply_temp', 10);
    h.set('ch2.tripped', true);
    h.set('ch1.chw_supply_temp', 7);
    const critical = await get('/api/alarms/history?priority=critical');
    expect(critical.body.map((e: { alarmId: string }) => e.alarmId)).toEqual(['trip@ch2']);
    const returned = await get('/api/alarms/history?kind=returned,activated&device=ch1');
    expect(returned.body.map((e: { kind: string }) => e.kind)).toEqual(['returned', 'activated']);
    expect((await get('/api/alarms/history?limit=0')).status).toBe(400);
    expect((await get('/api/alarms/history?limit=100000')).status).toBe(400);
    expect((await get('/api/alarms/history?from=yesterday')).body.error).toMatch(
      /^from: expected an ISO 8601 time/,
    );
    expect((await get('/api/alarms/history?from=-1h&limit=2')).body).toHaveLength(2);
  });
});

describe('an alarm that has returned, through the API', () => {
  it('lists it with the reading that raised it, and the journal keeps that reading on each event', async () => {
    h.set('ch1.chw_supply_temp', 10.4);
    h.set('ch1.chw_supply_temp', 7);
    const raisedText = 'Chiller 1: chw_supply_temp high, 10.4 °C (limit 9 °C)';
    const [listed] = (await get('/api/alarms')).body;
    expect(listed).toMatchObject({ id: 'chw-high@ch1', state: 'returned-unacknowledged', value: 7 });
    expect(listed.message).toMatch(
      /^Chiller 1: chw_supply_temp high, 10\.4 °C \(limit 9 °C\) \(returned to normal \d\d:\d\d, now 7 °C\)$/,
    );
    const history = (await get('/api/alarms/history?alarm=chw-high@ch1')).body;
    expect(history.map((e: Json) => [e.kind, e.value, e.limit, e.raised?.value, e.raised?.limit])).toEqual([
      ['returned', 7, 9, 10.4, 9],
      ['activated', 10.4, 9, 10.4, 9],
    ]);
    expect(history[1].message).toBe(raisedText);
    expect(history[0].message).toBe(listed.message);
    expect(history[0].raised.ts).toBe(history[1].ts);
  });
});
