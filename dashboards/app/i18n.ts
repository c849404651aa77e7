// A small bilingual table (English / 简体中文): the common words here, each area's in i18n/<area>.ts,
// merged. The language comes from localStorage, else the browser.

import { ENERGY_TEXT } from './i18n/energy.js';
import { GROUP_TEXT } from './i18n/group.js';
import { MIMIC_TEXT } from './i18n/mimic.js';
import { RECORDS_TEXT } from './i18n/records.js';
import { SCAN_TEXT } from './i18n/scan.js';
import { SHELL_TEXT } from './i18n/shell.js';
import { TREND_TEXT } from './i18n/trend.js';

/** A text in English and in Chinese; `{name}` marks a value put in by t(). */
export type Texts = Record<string, readonly [en: string, zh: string]>;

export type Lang = 'en' | 'zh';

const TABLE: Texts = {
  ...ENERGY_TEXT,
  ...GROUP_TEXT,
  ...MIMIC_TEXT,
  ...RECORDS_TEXT,
  ...SCAN_TEXT,
  ...TREND_TEXT,
  ...SHELL_TEXT,
  'nav.overview': ['Overview', '总览'],
  'nav.alarms': ['Alarms', '报警'],
  'duty.label': ['On duty', '值班人'],
  'duty.placeholder': ['your name', '姓名'],
  'duty.missing': ['Enter who is on duty at this screen first.', '请先填写本屏幕的值班人。'],
  'role.electrician': ['electrician', '电工'],
  'role.energy-manager': ['energy manager', '能源管理员'],
  'role.admin': ['administrator', '管理员'],
  logout: ['Sign out', '退出登录'],
  'login.title': ['Sign in to Plantwatch', '登录 Plantwatch'],
  'login.username': ['User name', '用户名'],
  'login.password': ['Password', '密码'],
  'login.submit': ['Sign in', '登录'],
  'login.bad': ['Wrong user name or password.', '用户名或密码错误。'],
  'login.wait': ['Too many failed attempts — wait a moment and try again.', '失败次数过多——请稍后再试。'],
  'login.failed': ['Sign-in failed: {msg}', '登录失败：{msg}'],
  'login.offline': ['The gateway cannot be reached.', '无法连接网关。'],
  'alarms.viewOnly': [
    'Your role may view alarms but not acknowledge or shelve them.',
    '您的角色只能查看报警，不能确认或搁置。',
  ],
  'conn.live': ['live', '实时'],
  'conn.lost': ['connection lost', '连接中断'],
  'banner.lost': [
    'Connection to the gateway lost since {time} — values shown are frozen; reconnecting…',
    '与网关的连接已于 {time} 中断——显示的数值已冻结，正在重连…',
  ],
  mute: ['Sound on', '声音开'],
  unmute: ['Sound off', '声音关'],
  on: ['ON', '开'],
  off: ['OFF', '关'],
  never: ['never', '从未'],
  'age.s': ['{n} s', '{n} 秒'],
  'age.min': ['{n} min', '{n} 分钟'],
  'age.h': ['{n} h', '{n} 小时'],
  'age.d': ['{n} d', '{n} 天'],
  'status.running': ['running', '运行'],
  'status.stopped': ['stopped', '停止'],
  'status.alarm': ['alarm', '报警'],
  'status.comm': ['comm loss / stale', '通讯中断/过期'],
  'status.nodata': ['no data', '无数据'],
  'q.good': ['good', '正常'],
  'q.stale': ['stale', '过期'],
  'q.comm-error': ['comm error', '通讯故障'],
  'q.out-of-range': ['out of range', '超量程'],
  'q.bad-timestamp': ['time ahead of clock', '时间戳超前'],
  'q.no-data': ['no data', '无数据'],
  'p.critical': ['critical', '紧急'],
  'p.high': ['high', '高'],
  'p.medium': ['medium', '中'],
  'p.low': ['low', '低'],
  'kind.distribution-room': ['Distribution room', '配电房'],
  'kind.chiller-plant': ['Chiller plant', '冷冻站'],
  'kind.pump-room': ['Pump room', '水泵房'],
  'kind.oxygen-station': ['Oxygen station', '氧气站'],
  'kind.water-meter-point': ['Water meter', '水表井'],
  'kind.boiler-room': ['Boiler room', '锅炉房'],
  'kind.heat-station': ['Heat station', '换热站'],
  'kind.operating-theatre': ['Operating theatres', '手术部'],
  'kind.elevator-machine-room': ['Lift machine room', '电梯机房'],
  'kind.other': ['Room', '机房'],
  'fig.kw': ['Total load (incomers)', '总负荷（进线）'],
  'fig.chw': ['Chilled water supply / return', '冷冻水供/回水'],
  'fig.water': ['Total water flow', '总用水流量'],
  'fig.alarms': ['Active alarms', '活动报警'],
  'mimic.bus': ['LV busbar', '低压母线'],
  'mimic.incomer': ['Incomer', '进线'],
  'mimic.feeders': ['Feeders', '馈线'],
  'mimic.chillers': ['Chillers', '冷水机组'],
  'mimic.pumps': ['Pumps', '水泵'],
  'breaker.closed': ['closed', '合闸'],
  'breaker.open': ['OPEN', '分闸'],
  running: ['running', '运行'],
  stopped: ['stopped', '停止'],
  tripped: ['TRIPPED', '跳闸'],
  fault: ['FAULT', '故障'],
  'room.devices': ['{n} devices', '{n} 台设备'],
  'device.points': ['Current values', '当前值'],
  'device.trend': ['Trend', '趋势'],
  'device.alarms': ['Alarms of this equipment', '本设备报警'],
  'device.nohistory': ['No stored samples in this range.', '该时段无存储数据。'],
  'device.unknown': ['No such equipment.', '无此设备。'],
  'col.point': ['Point', '测点'],
  'col.value': ['Value', '数值'],
  'col.quality': ['Quality', '质量'],
  'col.age': ['Age', '时长'],
  'col.priority': ['Priority', '优先级'],
  'col.time': ['Time', '时间'],
  'col.where': ['Where', '位置'],
  'col.message': ['Message', '信息'],
  'col.state': ['State', '状态'],
  'col.event': ['Event', '事件'],
  'col.user': ['User', '操作人'],
  'col.comment': ['Comment', '备注'],
  'alarms.active': ['Active alarms', '活动报警'],
  'alarms.none': ['No active alarms — plant normal.', '无活动报警——设备运行正常。'],
  'alarms.history': ['Alarm history', '报警历史'],
  'alarms.all': ['all', '全部'],
  'alarms.apply': ['Show', '查询'],
  'alarms.empty': ['No events.', '无记录。'],
  ack: ['Acknowledge', '确认'],
  shelve: ['Shelve', '搁置'],
  unshelve: ['Unshelve', '取消搁置'],
  cancel: ['Cancel', '取消'],
  reason: ['Reason', '原因'],
  duration: ['Duration', '时长'],
  comment: ['Comment', '备注'],
  'state.normal': ['normal', '正常'],
  'state.active-unacknowledged': ['active, unacknowledged', '活动 · 未确认'],
  'state.active-acknowledged': ['active, acknowledged', '活动 · 已确认'],
  'state.returned-unacknowledged': ['returned, unacknowledged', '已恢复 · 未确认'],
  'state.shelved': ['shelved', '已搁置'],
  'state.out-of-service': ['out of service', '停用'],
  'range.1h': ['1 h', '1 小时'],
  'range.24h': ['24 h', '24 小时'],
  'range.7d': ['7 d', '7 天'],
  'err.action': ['The action failed: {msg}', '操作失败：{msg}'],
  'nav.admin': ['Admin', '管理'],
  'admin.title': ['Administration', '系统管理'],
  'admin.denied': ['Only an administrator may see this page.', '仅管理员可查看此页面。'],
  'admin.users': ['Users', '用户'],
  'admin.addUser': ['Add a user', '添加用户'],
  'admin.add': ['Add user', '添加'],
  'admin.added': ['User {user} added.', '已添加用户 {user}。'],
  'admin.name': ['Name', '姓名'],
  'admin.role': ['Role', '角色'],
  'admin.updated': ['Changed', '修改时间'],
  'admin.enabled': ['active', '启用'],
  'admin.disabled': ['disabled', '已停用'],
  'admin.enable': ['Enable', '启用'],
  'admin.disable': ['Disable', '停用'],
  'admin.wasEnabled': ['User {user} enabled.', '已启用用户 {user}。'],
  'admin.wasDisabled': ['User {user} disabled and signed out.', '已停用用户 {user} 并使其退出登录。'],
  'admin.reset': ['Reset password', '重置密码'],
  'admin.resetNote': [
    'At least 10 characters. The user is signed out everywhere.',
    '至少 10 个字符。该用户将在所有设备上退出登录。',
  ],
  'admin.newPassword': ['New password', '新密码'],
  'admin.passwordReset': ['Password of {user} reset.', '已重置 {user} 的密码。'],
  'admin.config': ['Configuration', '配置'],
  'admin.configNote': [
    'As the gateway runs it, read-only; passwords and keys are not shown. Change it in the configuration files.',
    '网关当前运行的配置（只读），不显示密码和密钥。请在配置文件中修改。',
  ],
  'admin.yes': ['yes', '是'],
  'admin.no': ['no', '否'],
  'admin.cfg.gateway': ['Gateway', '网关'],
  'admin.cfg.broker': ['MQTT broker', 'MQTT 服务器'],
  'admin.cfg.storage': ['Storage', '存储'],
  'admin.cfg.login': ['Login (idle / max)', '登录（空闲 / 最长）'],
  'admin.cfg.channels': ['Notification channels', '通知渠道'],
  'admin.cfg.places': ['Sites, buildings and rooms', '院区、楼栋和机房'],
  'admin.cfg.site': ['Site', '院区'],
  'admin.cfg.building': ['Building', '楼栋'],
  'admin.cfg.room': ['Room', '机房'],
  'admin.cfg.kind': ['Kind', '类型'],
  'admin.cfg.lines': ['Modbus lines', 'Modbus 线路'],
  'admin.cfg.id': ['Id', '编号'],
  'admin.cfg.transport': ['Transport', '传输方式'],
  'admin.cfg.address': ['Address', '地址'],
  'admin.cfg.timeout': ['Timeout × tries', '超时 × 次数'],
  'admin.cfg.profiles': ['Device profiles', '设备模板'],
  'admin.cfg.equipment': ['Equipment', '设备类别'],
  'admin.cfg.protocol': ['Protocol', '协议'],
  'admin.cfg.points': ['Points', '测点数'],
  'admin.cfg.devices': ['Devices', '设备'],
  'admin.cfg.profile': ['Profile', '模板'],
  'admin.cfg.connection': ['Connection', '连接'],
  'admin.cfg.critical': ['Critical', '关键'],
  'admin.cfg.rules': ['Alarm rules', '报警规则'],
  'admin.cfg.type': ['Type', '类型'],
  'admin.cfg.applies': ['Applies to', '适用于'],
  'admin.cfg.condition': ['Condition', '条件'],
  'admin.cfg.email': ['e-mail', '电子邮件'],
  'admin.cfg.embedded': ['embedded', '内置'],
  'admin.cfg.external': ['external', '外部'],
  'admin.cfg.demo': ['demo accounts', '演示账号'],
  'admin.rule.high': ['high limit', '高限'],
  'admin.rule.high-high': ['high-high limit', '高高限'],
  'admin.rule.low': ['low limit', '低限'],
  'admin.rule.low-low': ['low-low limit', '低低限'],
  'admin.rule.state': ['state', '状态'],
  'admin.rule.rate': ['rate of change', '变化率'],
  'admin.rule.deviation': ['deviation', '偏差'],
  'admin.rule.comm-loss': ['comm loss', '通讯中断'],
  'admin.rule.expression': ['expression', '表达式'],
  'admin.where.site': ['site', '院区'],
  'admin.where.building': ['building', '楼栋'],
  'admin.where.room': ['room', '机房'],
  'admin.where.critical': ['critical', '关键设备'],
  'admin.cfg.duty': ['Duty roster — on duty now', '值班表——当前值班'],
  'admin.cfg.team': ['Team / level', '班组 / 升级级别'],
  'admin.cfg.onDuty': ['On duty', '值班人'],
  'admin.shift.day': ['day shift', '白班'],
  'admin.shift.night': ['night shift', '夜班'],
  'admin.shift.holiday': ['holiday', '节假日'],
  loading: ['loading…', '加载中…'],
};

const saved = localStorage.getItem('plantwatch.lang');
let lang: Lang =
  saved === 'zh' || saved === 'en' ? saved : navigator.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';

export const getLang = (): Lang => lang;

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem('plantwatch.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

/** The text of `key` in the page's language, with `{name}` replaced by vars.name; an unknown key as it is. */
export function t(key: string, vars?: Record<string, string | number>): string {
  const entry = TABLE[key];
  let text = entry ? entry[lang === 'zh' ? 1 : 0] : key;
  for (const [k, v] of Object.entries(vars ?? {})) text = text.replace(`{${k}}`, String(v));
  return text;
}

/**
 * A name from the configuration in the page's language: its Chinese variant (the API's
 * `…Zh` field beside the name, e.g. deviceName / deviceNameZh) when the page is in 中文 and
 * the configuration gives one, else the name as configured.
 */
export const localName = (name: string, zh?: string | null): string => (lang === 'zh' && zh ? zh : name);

/** Static labels in the page shell carry data-i18n. */
export function translateStatic(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]'))
    el.textContent = t(el.dataset.i18n ?? '');
}

document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
