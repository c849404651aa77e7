/**
 * Fault → alarm → people, end to end over real sockets: the simulated chiller trips, the
 * gateway reads it over Modbus, raises the critical alarm, e-mails whoever is on duty through
 * a real SMTP server and posts to the team's chat-group webhook (a local HTTP server); an
 * acknowledgement through the API stops the escalation, no acknowledgement reaches the shift
 * lead after the configured delay.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoInbox, startDemoInbox } from '../../simulators/inbox.js';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { freePort } from '../helpers/modbus-tcp-device.js';
import { sleep, until } from '../helpers/wait.js';

const ESCALATE_AFTER_MS = 2500;

interface ChatPost {
  group: string;
  content: string;
  at: number;
}

let demo: DemoConfig;
let config: PlantConfig;
let gateway: Gateway;
let simulator: PlantSimulator;
let inbox: DemoInbox;
let chat: Server;
const posts: ChatPost[] = [];

/** A chat-group robot: records what it is sent and answers as WeCom does. */
async function startChatRobot(): Promise<string> {
  chat = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { text?: { content?: string } };
      posts.push({ group: req.url?.slice(1) ?? '', content: parsed.text?.content ?? '', at: Date.now() });
      res.setHeader('content-type', 'application/json');
      res.end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(chat.address() as AddressInfo).port}`;
}

const mails = (to: string, subject: RegExp) =>
  inbox.messages('email').filter((m) => m.to.includes(to) && subject.test(m.subject));

const eventually = <T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000) =>
  until(what, probe, timeoutMs, 100);

async function act(alarm: string, action: string, body: object) {
  const res = await fetch(`${gateway.web.url}/api/alarms/${alarm}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  demo = await demoConfigCopy();
  inbox = await startDemoInbox({ host: '127.0.0.1', smtpPort: await freePort(), log: silentLogger() });
  const robot = await startChatRobot();
  await editYaml(join(demo.dir, 'notify.yaml'), (doc) => {
    doc.setIn(['channels', 'email', 'port'], inbox.smtpPort);
    doc.setIn(['channels', 'webhooks', 0, 'url'], `${robot}/electricians`);
    doc.setIn(['channels', 'webhooks', 1, 'url'], `${robot}/water-ac`);
    // Whoever the clock says: the test checks the roster's answer, not a name picked by hand.
    doc.setIn(
      ['routing', 'critical', 'escalate'],
      doc.createNode([{ after: ESCALATE_AFTER_MS, to: 'shift-lead' }]),
    );
  })();
  config = loadConfig(demo.dir);
  gateway = await startGateway({ config, log: silentLogger() });
  simulator = await startPlantSimulator(config, { log: silentLogger() });
  await eventually('chillers read', async () => {
    const res = await fetch(`${gateway.web.url}/api/points/ch2.tripped`);
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

/** The water/AC on-call people now, as the gateway's own roster says. */
function onCallNow() {
  const team = gateway.notifier.roster.teamFor('chiller');
  expect(team?.id).toBe('water-ac');
  return gateway.notifier.roster.onDuty('water-ac', Date.now());
}

describe('a chiller trip reaches the people on duty', () => {
  it('e-mails and posts to the chat group; an acknowledgement stops the escalation', async () => {
    const onCall = onCallNow();
    expect(onCall.length).toBeGreaterThan(0);
    const lead = gateway.notifier.roster.level('shift-lead', Date.now());
    const tripAt = Date.now();
    simulator.faults.inject('ch1', { type: 'trip' });

    const [mail] = await eventually('trip e-mail', () => {
      const found = mails(onCall[0]?.email as string, /紧急级报警.*1号冷水机组/);
      return found.length > 0 && found;
    });
    // The demo's department reads Chinese (notify.yaml lang: zh); the mail links to the alarm.
    expect(mail?.text).toMatch(/跳闸/);
    expect(mail?.text).toMatch(
      /^在监控平台查看：http:\/\/127\.0\.0\.1:8080\/#\/alarms\/chiller-trip%40ch1$/m,
    );
    expect(mail?.to).toEqual(onCall.map((p) => p.email));
    const post = await eventually('chat post', () =>
      posts.find(
        (p) => p.group === 'water-ac' && /紧急级报警/.test(p.content) && /1号冷水机组/.test(p.content),
      ),
    );
    expect(post.content).toContain(onCall[0]?.nameZh);
    expect(post.content).toMatch(/\/#\/alarms\/chiller-trip%40ch1$/m);
    expect(post.at - tripAt).toBeLessThan(10_000);

    await act('chiller-trip@ch1', 'ack', { user: onCall[0]?.id, comment: 'reset at the panel' });
    await eventually('ack announced', () =>
      posts.find((p) => /已确认/.test(p.content) && /1号冷水机组/.test(p.content)),
    );
    await sleep(ESCALATE_AFTER_MS + 1500);
    for (const person of lead) expect(mails(person.email as string, /1号冷水机组/)).toEqual([]);
    expect(gateway.notifier.stats().notifier.escalationsFired).toBe(0);

    simulator.faults.clear('ch1', 'trip');
    const cleared = await eventually('cleared announced', () =>
      posts.find((p) => /【已恢复】/.test(p.content) && /1号冷水机组/.test(p.content)),
    );
    // What it was raised at and what it returned at, not only the reading after the fact.
    expect(cleared.content).toMatch(/^【已恢复】1号冷水机组跳闸（.*）（\d\d:\d\d 恢复正常）/);
    expect(cleared.content).toMatch(/^报警时：是，\d{4}-\d\d-\d\d \d\d:\d\d$/m);
    expect(cleared.content).toMatch(/^恢复时：否，\d{4}-\d\d-\d\d \d\d:\d\d$/m);
    const history = (await (
      await fetch(`${gateway.web.url}/api/alarms/history?alarm=chiller-trip@ch1`)
    ).json()) as {
      kind: string;
      user?: string;
    }[];
    expect(history.map((e) => e.kind)).toEqual(['cleared', 'acknowledged', 'activated']);
    expect(history[1]?.user).toBe(onCall[0]?.id);
  }, 40_000);

  it('without an acknowledgement, the shift lead is told after the delay', async () => {
    const lead = gateway.notifier.roster.level('shift-lead', Date.now());
    expect(lead.length).toBeGreaterThan(0);
    const tripAt = Date.now();
    simulator.faults.inject('ch2', { type: 'trip' });
    await eventually(
      'trip e-mail',
      () => mails(onCallNow()[0]?.email as string, /紧急级报警.*2号冷水机组/).length > 0,
    );
    const [escalation] = await eventually('escalation e-mail', () => {
      const found = mails(lead[0]?.email as string, /2号冷水机组/);
      return found.length > 0 && found;
    });
    expect(escalation?.subject).toMatch(/分钟未确认/);
    expect(Date.now() - tripAt).toBeGreaterThanOrEqual(ESCALATE_AFTER_MS);
    expect(gateway.notifier.stats().notifier.escalationsFired).toBe(1);
    simulator.faults.clear('ch2', 'trip');
  }, 40_000);
});

describe('alarm events for the dashboard and for MQTT clients', () => {
  it('pushes each transition over socket.io and keeps each alarm state retained on MQTT', async () => {
    const socket = connectSocket(gateway.web.url, { transports: ['websocket'], reconnection: false });
    const pushed: { event: { alarmId: string; kind: string }; alarm: { state: string } }[] = [];
    socket.on('alarm', (message) => pushed.push(message));
    const initial = await new Promise<{ id: string }[]>((resolve) => socket.once('alarms', resolve));
    expect(Array.isArray(initial)).toBe(true);

    simulator.faults.inject('o2-station', { type: 'out-of-range', point: 'supply_pressure_bar', value: 3.2 });
    const activated = await eventually('pushed activation', () =>
      pushed.find(
        (p) => p.event.alarmId === 'oxygen-pressure-low@o2-station' && p.event.kind === 'activated',
      ),
    );
    expect(activated.alarm.state).toBe('active-unacknowledged');
    socket.close();

    // A client connecting afterwards learns the state from the retained topic.
    const viewer = mqtt.connect(gateway.mqtt.brokerUrl, { username: 'viewer', password: 'viewer-demo' });
    try {
      const retained = await new Promise<{ state: string; priority: string; message: string }>(
        (resolve, reject) => {
          viewer.on('message', (_topic, payload, packet) => {
            if (packet.retain) resolve(JSON.parse(payload.toString()));
          });
          viewer.subscribe(
            'plantwatch/main/alarms/oxygen-pressure-low@o2-station',
            (err) => err && reject(err),
          );
        },
      );
      expect(retained).toMatchObject({ state: 'active-unacknowledged', priority: 'critical' });
      expect(retained.message).toMatch(/oxygen pipeline pressure LOW: 3\.2 bar/);
    } finally {
      await viewer.endAsync(true);
      simulator.faults.clear('o2-station', 'out-of-range');
    }
  }, 30_000);
});
