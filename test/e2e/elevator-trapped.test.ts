/**
 * A passenger trapped in a lift, end to end over real sockets: the simulated lift stops
 * between floors, the gateway reads it over Modbus TCP from the elevator monitoring gateway,
 * raises the critical alarm, opens a work order by itself (the demo's records.autoWorkOrders),
 * e-mails the electrician on duty through a real SMTP server, posts to the electricians' chat
 * group, and, with nobody acknowledging, tells the shift lead after the escalation delay.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoInbox, startDemoInbox } from '../../simulators/inbox.js';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { until } from '../helpers/wait.js';

/** The demo escalates a critical alarm to the shift lead after 5 minutes; the test after 2 s. */
const ESCALATE_AFTER_MS = 2000;
const ALARM = 'lift-passenger-trapped@lift-op1';

let demo: DemoConfig;
let gateway: Gateway;
let simulator: PlantSimulator;
let inbox: DemoInbox;
let chat: Server;
const posts: { group: string; content: string }[] = [];

async function startChatRobot(): Promise<string> {
  chat = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { text?: { content?: string } };
      posts.push({ group: req.url?.slice(1) ?? '', content: parsed.text?.content ?? '' });
      res.setHeader('content-type', 'application/json');
      res.end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(chat.address() as AddressInfo).port}`;
}

const eventually = <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>) =>
  until(what, probe, 15_000, 100);

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${gateway.web.url}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

beforeAll(async () => {
  demo = await demoConfigCopy({ autoWorkOrders: true });
  inbox = await startDemoInbox({ host: '127.0.0.1', smtpPort: await freePort(), log: silentLogger() });
  const robot = await startChatRobot();
  await editYaml(join(demo.dir, 'notify.yaml'), (doc) => {
    doc.setIn(['channels', 'email', 'port'], inbox.smtpPort);
    doc.setIn(['channels', 'webhooks', 0, 'url'], `${robot}/electricians`);
    doc.setIn(['channels', 'webhooks', 1, 'url'], `${robot}/water-ac`);
    doc.setIn(
      ['routing', 'critical', 'escalate'],
      doc.createNode([{ after: ESCALATE_AFTER_MS, to: 'shift-lead' }]),
    );
  })();
  const config = loadConfig(demo.dir);
  gateway = await startGateway({ config, log: silentLogger() });
  simulator = await startPlantSimulator(config, { log: silentLogger() });
  await eventually('lifts read', async () => {
    const res = await fetch(`${gateway.web.url}/api/points/lift-op1.passenger_trapped`);
    return res.ok && ((await res.json()) as { quality: string }).quality === 'good';
  });
}, 40_000);

afterAll(async () => {
  await simulator?.stop();
  await gateway?.stop();
  await inbox?.close();
  await new Promise((resolve) => chat?.close(resolve));
  demo?.cleanup();
});

describe('a passenger trapped in a lift', () => {
  it('raises the critical alarm, opens a work order, notifies the electrician on duty and escalates', async () => {
    const roster = gateway.notifier.roster;
    expect(roster.teamFor('elevator')?.id).toBe('electricians');
    const onDuty = roster.onDuty('electricians', Date.now());
    const lead = roster.level('shift-lead', Date.now());
    expect(onDuty.length).toBeGreaterThan(0);
    const trappedAt = Date.now();
    simulator.faults.inject('lift-op1', { type: 'trapped' });

    const alarm = await eventually('critical alarm', async () => {
      const alarms =
        await api<{ id: string; priority: string; state: string; message: string }[]>('/api/alarms');
      return alarms.find((a) => a.id === ALARM);
    });
    expect(alarm).toMatchObject({ priority: 'critical', state: 'active-unacknowledged' });
    expect(alarm.message).toMatch(/Outpatient Lift 1: PASSENGER TRAPPED/);
    // The lift's fault code raises its own (high) alarm beside it.
    await eventually('fault-code alarm', async () =>
      (await api<{ id: string; priority: string }[]>('/api/alarms')).find(
        (a) => a.id === 'lift-fault@lift-op1' && a.priority === 'high',
      ),
    );

    const [order] = await eventually('automatic work order', async () => {
      const orders = await api<{ alarmId?: string; status: string; device?: string; team?: string }[]>(
        `/api/work-orders?alarm=${encodeURIComponent(ALARM)}`,
      );
      return orders.length > 0 && orders;
    });
    expect(order).toMatchObject({ alarmId: ALARM, status: 'open', device: 'lift-op1', team: 'electricians' });

    const [mail] = await eventually('e-mail to the electrician on duty', () => {
      const found = inbox
        .messages('email')
        .filter(
          (m) => m.to.includes(onDuty[0]?.email as string) && /紧急级报警.*门诊楼1号客梯/.test(m.subject),
        );
      return found.length > 0 && found;
    });
    expect(mail?.text).toMatch(/电梯困人/);
    const post = await eventually('chat post', () =>
      posts.find((p) => p.group === 'electricians' && /门诊楼1号客梯/.test(p.content)),
    );
    expect(post.content).toMatch(/电梯困人/);
    expect(Date.now() - trappedAt).toBeLessThan(15_000);

    // Nobody acknowledges: the shift lead is told.
    const [escalation] = await eventually('escalation e-mail', () => {
      const found = inbox
        .messages('email')
        .filter((m) => m.to.includes(lead[0]?.email as string) && /门诊楼1号客梯/.test(m.subject));
      return found.length > 0 && found;
    });
    expect(escalation?.subject).toMatch(/分钟未确认/);
    expect(Date.now() - trappedAt).toBeGreaterThanOrEqual(ESCALATE_AFTER_MS);

    simulator.faults.clear('lift-op1', 'trapped');
    await eventually('returned', async () => {
      const alarms = await api<{ id: string; state: string }[]>('/api/alarms');
      const found = alarms.find((a) => a.id === ALARM);
      return (found === undefined || found.state !== 'active-unacknowledged') && true;
    });
  }, 45_000);
});
