// The shell: login, hash routes, header (alarm summary, user or duty, sound, theme, language,
// connection), the connection-lost banner, the plant's settings at start (GET /api/site), and
// the loop that passes live changes to the current view and the annunciator.
import type { SiteInfo } from '../../src/api-types/site.js';
import {
  configure as configureSound,
  enable as enableSound,
  isMuted,
  setMuted,
  silence,
  soundingPriority,
  soundState,
  tick as soundTick,
  startAnnunciator,
} from './annunciator.js';
import { getJson, onUnauthorized } from './api.js';
import { alarmCue } from './cue.js';
import { setupDuty } from './duty.js';
import { getLang, localName, setLang, t, translateStatic } from './i18n.js';
import { onChange, startLive, state, stopLive, watch } from './live.js';
import { activeAlarms } from './plant.js';
import { alarmSummary } from './salience.js';
import { can, checkSession, forget, logout, needsLogin, session } from './session.js';
import { currentTheme, startTheme, toggleTheme } from './theme.js';
import { formatTime, setPlantZone } from './time.js';
import * as adminView from './views/admin.js';
import * as alarmsView from './views/alarms.js';
import * as deviceView from './views/device.js';
import * as energyView from './views/energy.js';
import * as groupView from './views/group.js';
import * as groupEnergyView from './views/group-energy.js';
import * as loginView from './views/login.js';
import * as overviewView from './views/overview.js';
import * as recordsView from './views/records.js';
import * as roomView from './views/room.js';
import { clearBindings, redraw } from './widgets.js';

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
};
const root = $('view');
const banner = $('banner');
const conn = $('conn');

/**
 * What a page's render returns. `devices`: the only devices it shows (room, equipment), so the
 * only ones whose live values this browser asks for; without it (overview, alarms) everything.
 */
interface View {
  update?: () => void;
  periodic?: () => void;
  dispose?: () => void;
  devices?: string[];
}
interface Page {
  render: (root: HTMLElement, params: string[]) => View | undefined;
}

const ROUTES: Record<string, Page> = {
  '': overviewView,
  room: roomView as Page,
  device: deviceView as Page,
  alarms: alarmsView,
  energy: energyView as Page,
  records: recordsView as Page,
  admin: { render: (root) => adminView.render(root, { onUnauthorized: signedOut }) as View },
  // #/group (every campus) and #/group/energy[/<year>]: the hospital group's pages.
  group: {
    render: (root, [sub, ...rest]) =>
      sub === 'energy' ? groupEnergyView.render(root, rest) : groupView.render(root),
  },
};

/** The Admin link, shown only to a role that manages users (login on). */
const adminLink = document.createElement('a');
adminLink.href = '#/admin';
adminLink.dataset.i18n = 'nav.admin';
adminLink.hidden = true;
document.querySelector('header nav')?.append(adminLink);

/** The group link, shown when this gateway serves the group view (GET /api/site `group`). */
const groupLink = document.createElement('a');
groupLink.href = '#/group';
groupLink.dataset.i18n = 'nav.group';
groupLink.textContent = t('nav.group');
groupLink.hidden = true;
document.querySelector('header nav')?.append(groupLink);

/**
 * A branch campus's user on the group's address (views/group.ts groupOnly) sees the group pages
 * only: the body's data-group-only hides the campus pages' links and this campus's alarms.
 */
function renderScope() {
  groupLink.hidden = !site?.group;
  document.body.toggleAttribute('data-group-only', groupView.groupOnly(site));
}

let current: View = {};

/** Where to go after signing in: the page that sent the browser to the login. */
const AFTER_LOGIN = 'plantwatch.afterLogin';

function route() {
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (name === 'login' ? !needsLogin() : needsLogin()) {
    if (name !== 'login') sessionStorage.setItem(AFTER_LOGIN, location.hash || '#/');
    location.hash = name === 'login' ? '#/' : '#/login';
    return; // hashchange routes again
  }
  renderScope();
  if (name !== 'login' && name !== 'group' && groupView.groupOnly(site)) {
    location.hash = '#/group';
    return;
  }
  current.dispose?.();
  clearBindings();
  document.body.dataset.route = name || 'overview';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a'))
    a.classList.toggle('on', a.hash.replace(/^#\/?/, '') === name);
  const page = ROUTES[name] ?? overviewView;
  current = (name === 'login' ? loginView.render(root, { signedIn }) : page.render(root, params)) ?? {};
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

let site: SiteInfo | null = null;

/** The plant's zone, names and annunciation; asked once signed in (and after each login). */
async function loadSite() {
  try {
    site = await getJson<SiteInfo>('/api/site');
  } catch {
    return; // unreachable or signed out: the next login asks again
  }
  setPlantZone(site.timezone);
  configureSound(site.annunciation);
  renderBrand();
  renderScope();
  if (groupView.groupOnly(site) && !location.hash.startsWith('#/group')) location.hash = '#/group';
}

function live() {
  loadSite().then(() => {
    // A branch campus's user on the group's address: nothing of this campus live.
    if (groupView.groupOnly(site)) return;
    startLive({
      onAlarmEvent(event) {
        const sounding = site?.annunciation.sound ?? ['critical', 'high'];
        if (event?.kind === 'activated' && sounding.includes(event.priority)) alarmCue();
      },
      onUnauthorized: signedOut,
    });
  });
}

function renderBrand() {
  const first = site?.sites.length === 1 ? site.sites[0] : undefined;
  $('site-name').textContent = first ? localName(first.name, first.nameZh) : '';
}

function renderHeader() {
  translateStatic(document);
  $('lang').textContent = getLang() === 'zh' ? 'English' : '中文 ZH';
  renderTheme();
  renderSound();
  renderBrand();
  renderWho();
  renderConnection();
  renderSummary();
}

function renderSummary() {
  $('alarm-summary').replaceChildren(alarmSummary(activeAlarms()));
}

/** The sound button says what is true: on, off, or blocked by the browser (one click enables it). */
function renderSound() {
  const mute = $('mute');
  const st = soundState();
  mute.textContent = t(`sound.${st}`);
  mute.title = st === 'none' ? '' : t(`sound.${st}Title`);
  mute.dataset.state = st;
  mute.setAttribute('aria-pressed', String(st === 'off'));
  const sounding = soundingPriority();
  const silenceButton = $('silence');
  silenceButton.hidden = !sounding || st === 'off' || st === 'none';
  silenceButton.title = t('silence.title');
  if (sounding) document.body.dataset.sounding = sounding;
  else delete document.body.dataset.sounding;
}

function renderTheme() {
  const dark = currentTheme() === 'dark';
  const button = $('theme');
  button.textContent = dark ? `☀ ${t('theme.light')}` : `☾ ${t('theme.dark')}`;
  button.title = t('theme.title');
  button.setAttribute('aria-pressed', String(dark));
}

function renderConnection() {
  conn.textContent = state.connected ? t('conn.live') : t('conn.lost');
  conn.className = `conn ${state.connected ? 'ok' : 'lost'}`;
  // Signed out, no live data is expected, so none is missed: no banner.
  banner.hidden = state.connected || state.lostAt === null || needsLogin();
  if (!banner.hidden) banner.textContent = t('banner.lost', { time: formatTime(state.lostAt) });
  document.body.classList.toggle('disconnected', !banner.hidden);
}

setupDuty($('duty') as HTMLInputElement, $('duty-names') as HTMLDataListElement, t('duty.placeholder'));
$('mute').addEventListener('click', () => {
  const st = soundState();
  if (st === 'blocked') enableSound();
  else if (st !== 'none') setMuted(!isMuted());
  renderSound();
});
$('silence').addEventListener('click', () => {
  silence();
  renderSound();
});
$('theme').addEventListener('click', () => {
  toggleTheme();
  renderTheme();
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
window.addEventListener('hashchange', route);

onChange((what) => {
  if (what.connection) renderConnection();
  if (what.resync) {
    // Loaded while the gateway was unreachable: learn now whether it asks for a login.
    if (session.mode === 'unknown') checkSession().then(renderWho);
    renderSummary();
    soundTick();
    route();
    return;
  }
  if (what.points.size) redraw(what.points);
  if (what.alarms) {
    renderSummary();
    soundTick();
    current.update?.();
  } else if (what.points.size) current.periodic?.();
});

onUnauthorized(signedOut);

// Ages of stale values tick on, old values fade; the banner's time stays.
setInterval(() => redraw(null), 1000);

startTheme(renderTheme);
startAnnunciator(() => (needsLogin() ? [] : state.alarms.values()), renderSound);
// Login first when the gateway asks for one; live data only for a signed-in browser.
renderHeader();
checkSession().then(() => {
  renderWho();
  if (!needsLogin()) live();
  route();
});
