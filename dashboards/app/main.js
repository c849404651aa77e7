// The shell: login, hash routes, header (alarm summary, who is signed in or on duty, sound,
// language, connection), the connection-lost banner, and the loop that passes live changes
// to the current view.
import { onUnauthorized } from './api.js';
import { criticalCue, isMuted, setMuted, unlockAudio } from './cue.js';
import { setupDuty } from './duty.js';
import { formatTime } from './format.js';
import { getLang, setLang, t, translateStatic } from './i18n.js';
import { onChange, startLive, state, stopLive, watch } from './live.js';
import { activeAlarms, countByPriority } from './plant.js';
import { can, checkSession, forget, logout, needsLogin, session } from './session.js';
import * as adminView from './views/admin.js';
import * as alarmsView from './views/alarms.js';
import * as deviceView from './views/device.js';
import * as energyView from './views/energy.js';
import * as loginView from './views/login.js';
import * as overviewView from './views/overview.js';
import { alarmPills } from './views/overview.js';
import * as recordsView from './views/records.js';
import * as roomView from './views/room.js';
import { clearBindings, redraw } from './widgets.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const root = $('view');
const banner = $('banner');
const conn = $('conn');

/** @type {Record<string, { render: (root: HTMLElement, params: string[]) => any }>} */
const ROUTES = {
  '': overviewView,
  room: roomView,
  device: deviceView,
  alarms: alarmsView,
  energy: energyView,
  records: recordsView,
  admin: { render: (root) => adminView.render(root, { onUnauthorized: signedOut }) },
};

/** The Admin link, shown only to a role that manages users (login on). */
const adminLink = document.createElement('a');
adminLink.href = '#/admin';
adminLink.dataset.i18n = 'nav.admin';
adminLink.hidden = true;
document.querySelector('header nav')?.append(adminLink);

/**
 * The current view. `devices`: the only devices it shows (room, equipment), so the only ones
 * whose live values this browser asks for; without it (overview, alarms) everything.
 * @type {{ update?: () => void, periodic?: () => void, dispose?: () => void, devices?: string[] }}
 */
let current = {};

/** Where to go after signing in: the page that sent the browser to the login. */
const AFTER_LOGIN = 'plantwatch.afterLogin';

function route() {
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (name === 'login' ? !needsLogin() : needsLogin()) {
    if (name !== 'login') sessionStorage.setItem(AFTER_LOGIN, location.hash || '#/');
    location.hash = name === 'login' ? '#/' : '#/login';
    return; // hashchange routes again
  }
  current.dispose?.();
  clearBindings();
  document.body.dataset.route = name || 'overview';
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('on', /** @type {HTMLAnchorElement} */ (a).hash.replace(/^#\/?/, '') === name);
  current =
    name === 'login'
      ? loginView.render(root, { signedIn })
      : ((ROUTES[name] ?? overviewView).render(root, params) ?? {});
  watch(current.devices ?? null);
  window.scrollTo(0, 0);
}

function signedIn() {
  renderWho();
  live();
  const next = sessionStorage.getItem(AFTER_LOGIN);
  sessionStorage.removeItem(AFTER_LOGIN);
  location.hash = next && next !== '#/login' ? next : '#/';
}

/** The session ended (a 401, the socket refused or dropped): back to the login page. */
function signedOut() {
  if (session.mode === 'off') return;
  forget();
  stopLive();
  renderWho();
  renderConnection();
  if (!location.hash.startsWith('#/login')) {
    sessionStorage.setItem(AFTER_LOGIN, location.hash || '#/');
    location.hash = '#/login';
  }
}

/** The header names the signed-in user and role (login on) or offers the on-duty field (login off). */
function renderWho() {
  const user = session.user;
  $('duty-field').hidden = session.mode !== 'off';
  $('who').hidden = !user;
  $('logout').hidden = !user;
  $('who-name').textContent = user ? user.name || user.username : '';
  $('who-name').title = user?.username ?? '';
  $('who-role').textContent = user ? t(`role.${user.role}`) : '';
  $('who').dataset.role = user?.role ?? '';
  adminLink.hidden = !(user && can('users'));
}

function live() {
  startLive({
    onAlarmEvent(event) {
      if (event?.kind === 'activated' && event.priority === 'critical') criticalCue();
    },
    onUnauthorized: signedOut,
  });
}

function renderHeader() {
  translateStatic(document);
  $('mute').textContent = isMuted() ? t('unmute') : t('mute');
  $('mute').setAttribute('aria-pressed', String(isMuted()));
  $('lang').textContent = getLang() === 'zh' ? 'English' : '中文 ZH';
  renderWho();
  renderConnection();
  renderSummary();
}

function renderSummary() {
  $('alarm-summary').replaceChildren(alarmPills(countByPriority(activeAlarms())));
}

function renderConnection() {
  conn.textContent = state.connected ? t('conn.live') : t('conn.lost');
  conn.className = `conn ${state.connected ? 'ok' : 'lost'}`;
  // Signed out, no live data is expected, so none is missed: no banner.
  banner.hidden = state.connected || state.lostAt === null || needsLogin();
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
$('logout').addEventListener('click', async () => {
  stopLive();
  await logout();
  renderWho();
  renderConnection();
  sessionStorage.removeItem(AFTER_LOGIN);
  location.hash = '#/login';
});
document.addEventListener('click', unlockAudio, { once: true });
window.addEventListener('hashchange', route);

onChange((what) => {
  if (what.connection) renderConnection();
  if (what.resync) {
    // Loaded while the gateway was unreachable: learn now whether it asks for a login.
    if (session.mode === 'unknown') checkSession().then(renderWho);
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

onUnauthorized(signedOut);

// Ages of stale values tick on; the banner's time stays.
setInterval(() => redraw(null), 1000);

// Login first when the gateway asks for one; live data only for a signed-in browser.
renderHeader();
checkSession().then(() => {
  renderWho();
  if (!needsLogin()) live();
  route();
});
