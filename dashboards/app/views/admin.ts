// Admin (role admin, login on): the dashboard's users — add, reset a password, disable, enable —,
// scans of a line for its Modbus units (admin-scan.ts), and the configuration as the gateway
// runs it, read-only and without secrets
// (/api/config/summary). Every piece of data goes in with textContent. Calls go through api.ts,
// so a 401 (the session ended) takes the browser back to the sign-in page like any other.

import type { ConfigSummaryJson, NewUser, UserView } from '../../../src/api-types/admin.js';
import { getJson, sendJson } from '../api.js';
import { h } from '../dom.js';
import { localName, t } from '../i18n.js';
import { can, session } from '../session.js';
import { dateTime } from '../time.js';
import { tableHead } from '../widgets.js';
import { scanSection } from './admin-scan.js';

const ROLES: NewUser['role'][] = ['electrician', 'energy-manager', 'admin'];

const failure = (err: unknown) => t('err.action', { msg: err instanceof Error ? err.message : String(err) });

/** `_hooks`: kept for the shell's call; a 401 now reaches the shell through api.ts's onUnauthorized. */
export function render(root: HTMLElement, _hooks?: unknown): Record<string, never> {
  if (session.mode !== 'on' || !can('users')) {
    root.replaceChildren(h('h1.page-title', null, t('admin.title')), h('p.none', null, t('admin.denied')));
    return {};
  }

  const message = h('p#admin-message.action-error', { role: 'status' });
  const say = (text: string, ok = false) => {
    message.textContent = text;
    message.classList.toggle('ok', ok);
  };
  const usersBody = h('tbody');
  const userPath = (username: string, action: string) =>
    `/api/users/${encodeURIComponent(username)}/${action}`;
  const dialog = passwordDialog(async (username, password) => {
    await sendJson<UserView>(userPath(username, 'password'), { password });
    say(t('admin.passwordReset', { user: username }), true);
    await loadUsers();
  });

  async function loadUsers() {
    try {
      const users = await getJson<UserView[]>('/api/users');
      usersBody.replaceChildren(...users.map(userRow));
    } catch (err) {
      say(failure(err));
    }
  }

  async function setDisabled(username: string, action: 'disable' | 'enable') {
    try {
      await sendJson<UserView>(userPath(username, action));
      say(t(action === 'disable' ? 'admin.wasDisabled' : 'admin.wasEnabled', { user: username }), true);
    } catch (err) {
      say(failure(err));
    }
    await loadUsers();
  }

  function userRow(u: UserView) {
    const self = u.username === session.user?.username;
    const button = (cls: string, label: string, onclick: () => void) =>
      h(`button.${cls}`, { type: 'button', onclick }, t(label));
    return h(
      `tr${u.disabled ? '.disabled' : ''}`,
      { dataset: { user: u.username } },
      h('td.username', null, u.username),
      h('td', null, u.name),
      h('td', null, t(`role.${u.role}`)),
      h('td.status', null, u.disabled ? t('admin.disabled') : t('admin.enabled')),
      h('td', null, dateTime(Date.parse(u.updated))),
      h(
        'td.actions',
        null,
        button('reset', 'admin.reset', () => dialog.open(u.username)),
        u.disabled
          ? button('enable', 'admin.enable', () => setDisabled(u.username, 'enable'))
          : self
            ? null
            : button('disable', 'admin.disable', () => setDisabled(u.username, 'disable')),
      ),
    );
  }

  const addForm = addUserForm(async (body) => {
    try {
      await sendJson<UserView>('/api/users', body);
      say(t('admin.added', { user: body.username }), true);
      await loadUsers();
      return true;
    } catch (err) {
      say(failure(err));
      return false;
    }
  });

  const configRoot = h('div#config-summary.config-summary', null, h('p.note', null, t('loading')));
  root.replaceChildren(
    h('h1.page-title', null, t('admin.title')),
    h('h2', null, t('admin.users')),
    message,
    h(
      'div.scroll',
      null,
      h(
        'table.users',
        null,
        tableHead(['login.username', 'admin.name', 'admin.role', 'col.state', 'admin.updated', '']),
        usersBody,
      ),
    ),
    h('h3', null, t('admin.addUser')),
    addForm,
    scanSection(),
    h('h2', null, t('admin.config')),
    h('p.note', null, t('admin.configNote')),
    configRoot,
    dialog.el,
  );
  void loadUsers();
  getJson<ConfigSummaryJson>('/api/config/summary')
    .then((summary) => configRoot.replaceChildren(...configView(summary)))
    .catch((err: unknown) =>
      configRoot.replaceChildren(h('p.action-error', null, err instanceof Error ? err.message : String(err))),
    );
  return {};
}

/** The "Add a user" form; `add` resolves true when the user was added (the form is then cleared). */
function addUserForm(add: (body: NewUser) => Promise<boolean>): HTMLFormElement {
  const fUser = h('input#new-username', { required: true, maxLength: 64, autocomplete: 'off' });
  const fName = h('input#new-name', { maxLength: 100, autocomplete: 'off' });
  const fRole = h('select#new-role', null, ...ROLES.map((r) => h('option', { value: r }, t(`role.${r}`))));
  // The campuses (site ids) the user works for, comma-separated; empty: every campus.
  const fSites = h('input#new-sites', { maxLength: 200, autocomplete: 'off' });
  const fPassword = h('input#new-password', {
    type: 'password',
    required: true,
    minLength: 10,
    maxLength: 1024,
    autocomplete: 'new-password',
  });
  const onsubmit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    const name = fName.value.trim();
    const sites = fSites.value
      .split(',')
      .map((site) => site.trim())
      .filter(Boolean);
    const body: NewUser = {
      username: fUser.value.trim(),
      role: fRole.value as NewUser['role'], // one of ROLES: the select offers nothing else
      password: fPassword.value,
      ...(name ? { name } : {}),
      ...(sites.length ? { sites } : {}),
    };
    if (!(await add(body))) return;
    fUser.value = '';
    fName.value = '';
    fSites.value = '';
    fPassword.value = '';
  };
  return h(
    'form#add-user.admin-form',
    { onsubmit },
    h('label', null, t('login.username'), fUser),
    h('label', null, t('admin.name'), fName),
    h('label', null, t('admin.role'), fRole),
    h(
      'label',
      null,
      localName('Campuses (comma-separated; empty: all)', '院区（逗号分隔；留空为全部）'),
      fSites,
    ),
    h('label', null, t('login.password'), fPassword),
    h('button#add-user-submit.primary', { type: 'submit' }, t('admin.add')),
  );
}

/** The reset-password dialog. */
function passwordDialog(submit: (username: string, password: string) => Promise<void>) {
  const title = h('h3');
  const password = h('input#reset-password', {
    type: 'password',
    required: true,
    minLength: 10,
    maxLength: 1024,
    autocomplete: 'new-password',
  });
  const error = h('p.action-error');
  let username = '';
  const onsubmit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    try {
      await submit(username, password.value);
      password.value = '';
      el.close();
    } catch (err) {
      error.textContent = failure(err);
    }
  };
  const form = h(
    'form',
    { method: 'dialog', onsubmit },
    title,
    h('p.note', null, t('admin.resetNote')),
    h('label', null, t('admin.newPassword'), password),
    error,
    h(
      'div.dialog-buttons',
      null,
      h('button', { type: 'button', onclick: () => el.close() }, t('cancel')),
      h('button#reset-submit.primary', { type: 'submit' }, t('admin.reset')),
    ),
  );
  const el = h('dialog.action', null, form);
  return {
    el,
    open(user: string) {
      username = user;
      title.textContent = `${t('admin.reset')}: ${user}`;
      password.value = '';
      error.textContent = '';
      el.showModal();
    },
  };
}

type Cell = string | number | null | undefined;

function table(heads: string[], rows: Cell[][], cls = ''): HTMLElement {
  return h(
    'div.scroll',
    null,
    h(
      `table${cls ? `.${cls}` : ''}`,
      null,
      tableHead(heads),
      h(
        'tbody',
        null,
        ...rows.map((r) => h('tr', null, ...r.map((c) => h('td', null, c == null ? '—' : String(c))))),
      ),
    ),
  );
}

const yesNo = (v: boolean) => (v ? t('admin.yes') : t('admin.no'));
const named = (x: { name: string; nameZh?: string | undefined }) => localName(x.name, x.nameZh);
const disabledMark = (enabled: boolean) => (enabled ? '' : ` (${t('admin.disabled')})`);

/** The gateway's own settings, as "label: value" lines. */
function settingsList(s: ConfigSummaryJson): [string, string][] {
  const g = s.gateway;
  const broker = g.mqtt?.broker;
  const { email, webhooks, mqtt } = s.notify.channels;
  const channels = [
    email ? `${t('admin.cfg.email')} ${email.host}` : '',
    ...webhooks.map((w) => `${w.id} (${w.format}) ${w.url}`),
    mqtt ? `MQTT ${mqtt.topic}` : '',
  ].filter(Boolean);
  return [
    ['admin.cfg.gateway', `${g.name} · ${g.web.host}:${g.web.port}`],
    [
      'admin.cfg.broker',
      !broker
        ? t('admin.no')
        : broker.mode === 'embedded'
          ? `${t('admin.cfg.embedded')} ${broker.host}:${broker.port} · ${broker.users.map((u) => u.username).join(', ') || '—'}`
          : `${t('admin.cfg.external')} ${broker.url}`,
    ],
    [
      'admin.cfg.storage',
      g.storage.backend === 'influxdb'
        ? `InfluxDB ${g.storage.influxdb?.host}:${g.storage.influxdb?.port}`
        : `SQLite ${g.storage.sqlite.path} · ${g.storage.sqlite.rawRetention}`,
    ],
    [
      'admin.cfg.login',
      g.auth.enabled
        ? `${g.auth.sessionIdle} / ${g.auth.sessionMax}${g.auth.demoAccounts ? ` · ${t('admin.cfg.demo')}` : ''}`
        : t('admin.no'),
    ],
    ['admin.cfg.channels', channels.join(' · ') || '—'],
  ];
}

function dutyView(duty: ConfigSummaryJson['duty']): HTMLElement[] {
  if (!duty) return [h('p.note', null, '—')];
  const names = (people: { name: string; nameZh?: string | undefined }[]) =>
    people.map(named).join(', ') || '—';
  return [
    table(
      ['admin.cfg.team', 'admin.cfg.equipment', 'admin.cfg.onDuty'],
      [
        ...duty.teams.map((team) => [named(team), team.equipment.join(', '), names(team.onDuty)]),
        ...duty.levels.map((l) => [l.level, '', names(l.onDuty)]),
      ],
      'cfg-duty',
    ),
    h('p.note', null, `${t(`admin.shift.${duty.shift}`)} · ${duty.dutyDate} (${duty.timezone})`),
  ];
}

/** The summary, section by section. */
function configView(s: ConfigSummaryJson): HTMLElement[] {
  const rooms = s.sites.flatMap((site) =>
    site.buildings.flatMap((b) =>
      b.rooms.length
        ? b.rooms.map((r) => [named(site), named(b), named(r), r.kind ? t(`kind.${r.kind}`) : ''])
        : [[named(site), named(b), '', '']],
    ),
  );
  return [
    h('dl.settings', null, ...settingsList(s).flatMap(([k, v]) => [h('dt', null, t(k)), h('dd', null, v)])),
    h('h3', null, t('admin.cfg.places')),
    table(['admin.cfg.site', 'admin.cfg.building', 'admin.cfg.room', 'admin.cfg.kind'], rooms, 'cfg-rooms'),
    h('h3', null, t('admin.cfg.lines')),
    table(
      ['admin.cfg.id', 'admin.name', 'admin.cfg.transport', 'admin.cfg.address', 'admin.cfg.timeout'],
      s.lines.map((l) => [
        l.id,
        l.name && localName(l.name, l.nameZh),
        l.transport,
        l.address,
        `${l.timeout} ×${l.retries + 1}`,
      ]),
      'cfg-lines',
    ),
    h('h3', null, t('admin.cfg.profiles')),
    table(
      ['admin.cfg.id', 'admin.name', 'admin.cfg.equipment', 'admin.cfg.protocol', 'admin.cfg.points'],
      s.profiles.map((p) => [p.id, named(p), p.equipment, p.protocol, p.points]),
      'cfg-profiles',
    ),
    h('h3', null, t('admin.cfg.devices')),
    table(
      [
        'admin.cfg.id',
        'admin.name',
        'admin.cfg.profile',
        'col.where',
        'admin.cfg.connection',
        'admin.cfg.critical',
      ],
      s.devices.map((d) => [
        d.id,
        named(d) + disabledMark(d.enabled),
        d.profile,
        `${d.site}/${d.building}/${d.room}`,
        connectionText(d.connection),
        yesNo(d.critical),
      ]),
      'cfg-devices',
    ),
    h('h3', null, t('admin.cfg.rules')),
    table(
      ['admin.cfg.id', 'col.priority', 'admin.cfg.type', 'admin.cfg.applies', 'admin.cfg.condition'],
      s.alarms.rules.map((r) => [
        r.id + disabledMark(r.enabled),
        t(`p.${r.priority}`),
        t(`admin.rule.${r.type}`),
        localName(r.applies, r.appliesZh) + (r.where ? ` · ${whereText(r.where)}` : ''),
        localName(r.condition, r.conditionZh),
      ]),
      'cfg-rules',
    ),
    h('h3', null, t('admin.cfg.duty')),
    ...dutyView(s.duty),
  ];
}

/** How a device is reached, as its configuration says: line and unit, BACnet port and instance, or topic. */
function connectionText(c: ConfigSummaryJson['devices'][number]['connection']): string {
  if (c.protocol === 'modbus') return `Modbus ${c.line} #${c.unitId}`;
  if (c.protocol === 'bacnet') return `BACnet ${c.port} #${c.instance}`;
  return `MQTT ${c.topic}`;
}

function whereText(where: Record<string, unknown>): string {
  return Object.entries(where)
    .map(
      ([k, v]) =>
        `${t(`admin.where.${k}`)}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? yesNo(v) : String(v)}`,
    )
    .join('; ');
}
