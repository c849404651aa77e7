/**
 * Notifications in each recipient's language, linking to the alarm on the dashboard: a Chinese
 * electrician gets Chinese e-mail with the Chinese names, an English-reading engineer English,
 * a chat group its configured language; every message carries `<publicUrl>/#/alarms/<id>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoInbox, startDemoInbox } from '../../simulators/inbox.js';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { notifyFile } from '../../src/config/notify-schema.js';
import { gatewayFile } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/index.js';
import { createEmailChannel, createWebhookChannel } from '../../src/notify/channels/index.js';
import { messageJson } from '../../src/notify/channels/webhook.js';
import { composeAlarmMessage, composeDigest } from '../../src/notify/compose.js';
import { DutyRoster } from '../../src/notify/roster.js';
import type { Recipient } from '../../src/notify/types.js';
import { chillerTripEvent, T0 } from '../helpers/alarm-event.js';

const PUBLIC_URL = 'http://10.20.1.5:8080';
const ctx = { timezone: 'Asia/Shanghai', now: T0, publicUrl: PUBLIC_URL };

const trip: AlarmEvent = chillerTripEvent({
  alarmId: 'chiller-trip@ch1',
  message: 'Chiller 1 TRIPPED (Chiller Plant, Energy Centre)',
  messageZh: '1号冷水机组跳闸（能源中心冷冻站）',
  deviceName: 'Chiller 1',
  deviceNameZh: '1号冷水机组',
  room: 'chiller-plant',
  roomName: 'Chiller Plant',
  roomNameZh: '冷冻站',
  building: 'energy-centre',
  buildingName: 'Energy Centre',
  buildingNameZh: '能源中心',
});

describe('a notification in both languages', () => {
  it('says the alarm in English and in Chinese, each linking to the alarm on the dashboard', () => {
    const message = composeAlarmMessage(trip, 'water-ac', ctx);
    expect(message.subject).toBe('[CRITICAL] Chiller 1 TRIPPED (Chiller Plant, Energy Centre)');
    expect(message.text.split('\n')).toContain(
      'Open on the dashboard: http://10.20.1.5:8080/#/alarms/chiller-trip%40ch1',
    );
    expect(message.zh?.subject).toBe('【紧急级报警】1号冷水机组跳闸（能源中心冷冻站）');
    expect(message.zh?.text.split('\n')).toEqual([
      '紧急级报警：1号冷水机组跳闸（能源中心冷冻站）',
      '设备：1号冷水机组 (ch1)',
      '房间：冷冻站',
      '楼宇：能源中心 (north-campus)',
      '数值：是',
      '时间：2025-01-15 11:12 (Asia/Shanghai)',
      '优先级：紧急',
      '报警编号：chiller-trip@ch1',
      '在监控平台查看：http://10.20.1.5:8080/#/alarms/chiller-trip%40ch1',
    ]);
  });

  it('gives a machine both languages: the JSON document of MQTT and json webhooks', () => {
    const json = messageJson(composeAlarmMessage(trip, 'water-ac', ctx), []);
    expect(json).toMatchObject({
      subject: '[CRITICAL] Chiller 1 TRIPPED (Chiller Plant, Energy Centre)',
      subjectZh: '【紧急级报警】1号冷水机组跳闸（能源中心冷冻站）',
    });
    expect(json.textZh).toContain('/#/alarms/chiller-trip%40ch1');
    expect(json.events[0]).toMatchObject({
      messageZh: '1号冷水机组跳闸（能源中心冷冻站）',
      deviceNameZh: '1号冷水机组',
    });
  });

  it('links a summary to the alarm list', () => {
    const digest = composeDigest([trip], { from: T0 - 3_600_000, to: T0 }, 'water-ac', ctx);
    expect(digest.zh?.text).toContain('在监控平台查看报警：http://10.20.1.5:8080/#/alarms');
    expect(digest.zh?.subject).toMatch(/^【汇总】.*1 条事件——紧急 1 条$/);
    expect(digest.text).toContain('Alarms on the dashboard: http://10.20.1.5:8080/#/alarms');
  });
});

describe('each recipient in their language', () => {
  let inbox: DemoInbox;
  beforeAll(async () => {
    inbox = await startDemoInbox({ host: '127.0.0.1', smtpPort: 0, log: silentLogger() });
  });
  afterAll(() => inbox.close());

  it('e-mails each person in the language they read', async () => {
    const channel = createEmailChannel(
      { host: '127.0.0.1', port: inbox.smtpPort, from: 'Plantwatch <pw@hospital.example>', lang: 'zh' },
      silentLogger(),
    );
    const onDuty: Recipient[] = [
      { id: 'li-na', name: 'Li Na', nameZh: '李娜', email: 'li.na@hospital.example' },
      { id: 'tom', name: 'Tom Berg', email: 'tom@hospital.example', lang: 'en' },
    ];
    await channel.send(composeAlarmMessage(trip, 'water-ac', ctx), onDuty);
    await channel.close();
    const [toLi] = inbox.messages('email').filter((m) => m.to.includes('li.na@hospital.example'));
    const [toTom] = inbox.messages('email').filter((m) => m.to.includes('tom@hospital.example'));
    expect(toLi?.to).toEqual(['li.na@hospital.example']);
    expect(toLi?.subject).toBe('【紧急级报警】1号冷水机组跳闸（能源中心冷冻站）');
    expect(toLi?.text).toContain('在监控平台查看：http://10.20.1.5:8080/#/alarms/chiller-trip%40ch1');
    expect(toTom?.subject).toBe('[CRITICAL] Chiller 1 TRIPPED (Chiller Plant, Energy Centre)');
    expect(toTom?.text).toContain('Open on the dashboard: http://10.20.1.5:8080/#/alarms/chiller-trip%40ch1');
  });

  it('posts to a chat group in its language, naming who is on duty in it', async () => {
    const posts: { body: string }[] = [];
    const { createServer } = await import('node:http');
    const robot = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        posts.push({ body });
        res.setHeader('content-type', 'application/json');
        res.end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
    const { port } = robot.address() as { port: number };
    const channel = createWebhookChannel(
      { id: 'water-ac-group', url: `http://127.0.0.1:${port}/hook`, format: 'wecom', lang: 'zh' },
      silentLogger(),
    );
    await channel.send(composeAlarmMessage(trip, 'water-ac', ctx), [
      { id: 'zhou-jie', name: 'Zhou Jie', nameZh: '周杰' },
    ]);
    await new Promise((resolve) => robot.close(resolve));
    const content = (JSON.parse(posts[0]?.body ?? '{}') as { text: { content: string } }).text.content;
    expect(content.split('\n')[0]).toBe('【紧急级报警】1号冷水机组跳闸（能源中心冷冻站）');
    expect(content).toContain('/#/alarms/chiller-trip%40ch1');
    expect(content.split('\n').at(-1)).toBe('值班：周杰');
  });
});

describe('the configuration of languages and the link', () => {
  const notify = (extra: object) =>
    notifyFile.parse({
      timezone: 'Asia/Shanghai',
      people: [
        { id: 'li-na', name: { en: 'Li Na', zh: '李娜' } },
        { id: 'tom', name: 'Tom Berg', lang: 'en' },
      ],
      teams: [{ id: 't', name: { zh: '值班电工' }, always: ['li-na', 'tom'] }],
      routing: { critical: {}, high: {}, medium: {}, low: {} },
      ...extra,
    });

  it('writes to people in Chinese unless they or the file say otherwise', () => {
    const roster = new DutyRoster(notify({}));
    expect(roster.onDuty('t', T0).map((p) => [p.id, p.lang, p.nameZh])).toEqual([
      ['li-na', 'zh', '李娜'],
      ['tom', 'en', undefined],
    ]);
    expect(new DutyRoster(notify({ lang: 'en' })).onDuty('t', T0)[0]?.lang).toBe('en');
    expect(roster.summary(T0).teams[0]).toMatchObject({ name: '值班电工', nameZh: '值班电工' });
  });

  it('refuses a language it does not speak, and a public address that is no web address', () => {
    expect(notifyFile.safeParse({ ...notify({}), lang: 'fr' }).success).toBe(false);
    expect(gatewayFile.parse({ web: { publicUrl: 'https://plant.example.cn/pw/' } }).web.publicUrl).toBe(
      'https://plant.example.cn/pw',
    );
    const bad = gatewayFile.safeParse({ web: { publicUrl: '10.20.1.5:8080' } });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['web', 'publicUrl'] });
    expect(bad.error?.issues[0]?.message).toMatch(
      /the dashboard's address such as "http:\/\/10\.20\.1\.5:8080"/,
    );
  });
});
