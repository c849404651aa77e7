// The shell: hash routes, header (alarm summary, duty, sound, language, connection), the
// connection-lost banner, and the loop that passes live changes to the current view.
import { criticalCue, isMuted, setMuted, unlockAudio } from './cue.js';
import { setupDuty } from './duty.js';
import { formatTime } from './format.js';
import { getLang, setLang, t, translateStatic } from './i18n.js';
import { onChange, startLive, state } from './live.js';
import { activeAlarms, countByPriority } from './plant.js';
import * as alarmsView from './views/alarms.js';
import * as deviceView from './views/device.js';
import * as overviewView from './views/overview.js';
import { alarmPills } from './views/overview.js';
import * as roomView from './views/room.js';
import { clearBindings, redraw } from './widgets.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const root = $('view');
const banner = $('banner');
const conn = $('conn');

/** @type {Record<string, { render: (root: HTMLElement, params: string[]) => any }>} */
const ROUTES = { '': overviewView, room: roomView, device: deviceView, alarms: alarmsView };

/** @type {{ update?: () => void, periodic?: () => void, dispose?: () => void }} */
let current = {};

function route() {
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = ROUTES[name] ?? overviewView;
  current.dispose?.();
  clearBindings();
  document.body.dataset.route = name || 'overview';
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('on', /** @type {HTMLAnchorElement} */ (a).hash.replace(/^#\/?/, '') === name);
  current = view.render(root, params) ?? {};
  window.scrollTo(0, 0);
}

function renderHeader() {
  translateStatic(document);
  $('mute').textContent = isMuted() ? t('unmute') : t('mute');
  $('mute').setAttribute('aria-pressed', String(isMuted()));
  $('lang').textContent = getLang() === 'zh' ? 'English' : '中文 ZH';
  renderConnection();
  renderSummary();
}

function renderSummary() {
  $('alarm-summary').replaceChildren(alarmPills(countByPriority(activeAlarms())));
}

function renderConnection() {
  conn.textContent = state.connected ? t('conn.live') : t('conn.lost');
  conn.className = `conn ${state.connected ? 'ok' : 'lost'}`;
  banner.hidden = state.connected || state.lostAt === null;
  if (!banner.hidden) banner.textContent = t('banner.lost', { time: formatTime(state.lostAt) });
  document.body.classList.toggle('disconnected', !banner.hidden);
}

setupDuty(
  /** @type {HTMLInputElement} */ ($('duty')),
  /** @type {HTMLDataListElement} */ ($('duty-names')),
  t('duty.placeholder'),
);
$('mute').addEventListener('click', () => {
  setMuted(!isMuted());
  renderHeader();
});
$('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  renderHeader();
  route();
});
document.addEventListener('click', unlockAudio, { once: true });
window.addEventListener('hashchange', route);

onChange((what) => {
  if (what.connection) renderConnection();
  if (what.resync) {
    renderSummary();
    route();
    return;
  }
  if (what.points.size) redraw(what.points);
  if (what.alarms) {
    renderSummary();
    current.update?.();
  } else if (what.points.size) current.periodic?.();
});

startLive({
  onAlarmEvent(event) {
    if (event?.kind === 'activated' && event.priority === 'critical') criticalCue();
  },
});

// Ages of stale values tick on; the banner's time stays.
setInterval(() => redraw(null), 1000);

renderHeader();
route();
