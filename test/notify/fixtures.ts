/** A demo-like config/notify.yaml and alarm events for the notifier tests. */
import { parse } from 'yaml';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { type NotifySettings, notifyFile } from '../../src/config/notify-schema.js';

export const NOTIFY_YAML = `
timezone: Asia/Shanghai
channels:
  email: { host: 127.0.0.1, port: "2525", from: "Plantwatch <plantwatch@hospital.example>" }
  webhooks:
    - { id: electricians-group, url: "http://127.0.0.1:9000/wecom", format: wecom }
    - { id: hvac-group, url: "http://127.0.0.1:9000/dingtalk", format: dingtalk }
  mqtt: { topic: "plantwatch/{site}/notifications/{priority}" }
people:
  - { id: wang-wei, name: "Wang Wei 王伟", email: wang.wei@hospital.example }
  - { id: li-na, name: "Li Na 李娜", email: li.na@hospital.example }
  - { id: zhao-lei, name: "Zhao Lei 赵磊", email: zhao.lei@hospital.example }
  - { id: zhang-min, name: "Zhang Min 张敏", email: zhang.min@hospital.example }
  - { id: sun-hao, name: "Sun Hao 孙浩", email: sun.hao@hospital.example }
  - { id: chen-gang, name: "Chen Gang 陈刚", email: chen.gang@hospital.example }
  - { id: liu-fang, name: "Liu Fang 刘芳", email: liu.fang@hospital.example }
shifts:
  day: { start: "08:00", end: "20:00" }
holidays: ["2026-10-01", "2026-10-02"]
teams:
  - id: electricians
    name: Electricians on duty
    equipment: [power-meter, oxygen-station]
    webhook: electricians-group
    day: [wang-wei]
    night:
      - { days: [mon, wed, fri, sun], people: [li-na] }
      - { days: [tue, thu, sat], people: [zhao-lei] }
    holiday: [zhang-min]
  - id: hvac
    name: Water and AC on call
    equipment: [chiller, pump, water-meter]
    webhook: hvac-group
    always: [sun-hao]
levels:
  shift-lead: { day: [chen-gang], night: [chen-gang], holiday: [chen-gang] }
  department-head: { always: [liu-fang] }
routing:
  critical: { channels: [email, webhooks, mqtt], escalate: [{ after: 5m, to: shift-lead }, { after: 15m, to: department-head }] }
  high: { channels: [email, webhooks, mqtt], escalate: [{ after: 15m, to: shift-lead }, { after: 60m, to: department-head }] }
  medium: { channels: [webhooks, mqtt] }
  low: { digest: 1h, channels: [email] }
flood: { count: 10, window: 10m }
`;

export const rawNotify = (): Record<string, unknown> => parse(NOTIFY_YAML) as Record<string, unknown>;

export const demoSettings = (change: (raw: Record<string, unknown>) => void = () => {}): NotifySettings => {
  const raw = rawNotify();
  change(raw);
  return notifyFile.parse(raw);
};

let seq = 0;

/** One alarm event; by default the oxygen station's low supply pressure activating now. */
export function alarmEvent(overrides: Partial<AlarmEvent> = {}): AlarmEvent {
  seq++;
  return {
    seq,
    alarmId: 'o2-pressure-low@o2',
    rule: 'o2-pressure-low',
    kind: 'activated',
    from: 'normal',
    to: 'active-unacknowledged',
    ts: Date.now(),
    priority: 'critical',
    message: 'supply pressure low',
    value: 0.31,
    limit: 0.35,
    notify: true,
    site: 'main',
    building: 'main-building',
    room: 'oxygen-station',
    device: 'o2',
    deviceName: 'Oxygen station',
    equipment: 'oxygen-station',
    ...overrides,
  };
}
