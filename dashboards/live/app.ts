// The /live/ diagnostic page: every point the gateway reads, grouped by room, from a socket.io
// snapshot on connect and coalesced deltas after it. Words in English or Chinese (the dashboard's
// saved choice, else the browser's), times on the plant's 24-hour clock (time.ts).
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/api-types/live-events.js';
import type { PointInfoJson, PointValueJson } from '../../src/api-types/points.js';
import type { SiteInfo } from '../../src/api-types/site.js';
import { getJson } from '../app/api.js';
import { clockSeconds, setPlantZone } from '../app/time.js';

const TEXT = {
  title: ['live points', '实时测点'],
  note: [
    'Every point the gateway reads, grouped by room. Stale and comm-error values are marked with their age.',
    '网关读取的全部测点，按机房分组。过期和通讯故障的数值标出其时长。',
  ],
  connecting: ['connecting…', '连接中…'],
  live: ['live', '实时'],
  lost: ['connection lost', '连接中断'],
  signIn: ['sign in on the dashboard first', '请先在监控页面登录'],
  on: ['ON', '开'],
  off: ['OFF', '关'],
  ago: ['{age} ago, at {time}', '{age}前，{time}'],
  'q.stale': ['stale', '过期'],
  'q.comm-error': ['comm error', '通讯故障'],
  'q.out-of-range': ['out of range', '超量程'],
  'q.bad-timestamp': ['time ahead of clock', '时间戳超前'],
  'q.no-data': ['no data', '无数据'],
} as const satisfies Record<string, readonly [string, string]>;

const saved = localStorage.getItem('plantwatch.lang');
const zh = saved ? saved === 'zh' : navigator.language.toLowerCase().startsWith('zh');
const t = (key: keyof typeof TEXT, vars: Record<string, string> = {}) =>
  TEXT[key][zh ? 1 : 0].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
const local = (name: string, nameZh: string | undefined) => (zh && nameZh ? nameZh : name);

interface Row {
  info: PointInfoJson;
  value: PointValueJson | undefined;
  tr: HTMLTableRowElement;
  valueCell: HTMLTableCellElement;
  qualityCell: HTMLTableCellElement;
}

const rows = new Map<string, Row>();
const byId = (id: string) =>
  document.getElementById(id) ?? document.body.appendChild(document.createElement('div'));
const rooms = byId('rooms');
const connection = byId('connection');

function format(value: PointValueJson['value'] | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? t('on') : t('off');
  return `${Number(value.toFixed(2))} ${unit}`;
}

function age(ts: number): string {
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  const text =
    s < 60 ? (zh ? `${s} 秒` : `${s} s`) : zh ? `${Math.round(s / 60)} 分钟` : `${Math.round(s / 60)} min`;
  return t('ago', { age: text, time: clockSeconds(ts) });
}

function sectionFor(info: PointInfoJson): HTMLTableSectionElement {
  const key = `${info.building}/${info.room}`;
  let body = document.getElementById(key)?.querySelector('tbody');
  if (!body) {
    const section = document.createElement('section');
    section.id = key;
    const title = document.createElement('h2');
    title.textContent = `${local(info.buildingName ?? info.building, info.buildingNameZh)} · ${local(info.roomName ?? info.room, info.roomNameZh)}`;
    const table = document.createElement('table');
    body = table.createTBody();
    section.append(title, table);
    rooms.append(section);
  }
  return body;
}

function render(row: Row): void {
  const v = row.value;
  const quality = v ? v.quality : 'no-data';
  row.tr.className = `q-${quality}`;
  row.valueCell.textContent = format(v?.value, row.info.unit);
  row.qualityCell.textContent = quality === 'good' ? '' : `${t(`q.${quality}`)} ${v ? age(v.ts) : ''}`;
}

function addRow(info: PointInfoJson, value: PointValueJson | undefined): void {
  const tr = document.createElement('tr');
  tr.dataset.point = info.id;
  const label = tr.insertCell();
  label.textContent = `${local(info.deviceName, info.deviceNameZh)} — ${local(info.label, info.labelZh)}`;
  const valueCell = tr.insertCell();
  valueCell.className = 'value';
  const qualityCell = tr.insertCell();
  sectionFor(info).append(tr);
  const row = { info, value, tr, valueCell, qualityCell };
  rows.set(info.id, row);
  render(row);
}

function showConnection(text: string, ok: boolean): void {
  connection.textContent = text;
  connection.className = ok ? 'conn-ok' : 'conn-lost';
}

document.documentElement.lang = zh ? 'zh-CN' : 'en';
for (const el of document.querySelectorAll<HTMLElement>('[data-text]'))
  el.textContent = t(el.dataset.text as keyof typeof TEXT);

const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();
socket.on('connect', () => showConnection(t('live'), true));
socket.on('disconnect', () => showConnection(t('lost'), false));
// With login on the gateway refuses a socket without a session (the dashboard's sign-in sets it).
socket.on('connect_error', () => showConnection(`${t('lost')} — ${t('signIn')}`, false));
socket.on('snapshot', (points) => {
  rooms.replaceChildren();
  rows.clear();
  for (const { info, value } of points) addRow(info, value);
});
socket.on('points', (values) => {
  for (const v of values) {
    const row = rows.get(v.id);
    if (!row) continue;
    row.value = v;
    render(row);
  }
});
const renderAged = () => {
  for (const row of rows.values()) if (row.value?.quality !== 'good') render(row);
};
setInterval(renderAged, 5000);
// The plant's zone, for the times of readings (until it answers: the zone the dashboard last saw).
getJson<SiteInfo>('/api/site')
  .then((site) => {
    setPlantZone(site.timezone);
    renderAged();
  })
  .catch(() => undefined);
