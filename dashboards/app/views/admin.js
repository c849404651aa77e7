// Admin (role admin, login on): the dashboard's users — add, reset a password, disable, enable —
// and the configuration as the gateway runs it, read-only and without secrets
// (/api/config/summary). Every piece of data goes in with textContent.

import { h } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';
import { can, session } from '../session.js';
import { tableHead } from '../widgets.js';

const ROLES = ['electrician', 'energy-manager', 'admin'];

/**
 * @param {HTMLElement} root
 * @param {{ onUnauthorized: () => void }} hooks called when the session has ended (a 401)
 */
export function render(root, hooks) {
  if (session.mode !== 'on' || !can('users')) {
    root.replaceChildren(h('h1.page-title', null, t('admin.title')), h('p.none', null, t('admin.denied')));
    return {};
  }

  /** @param {string} path @param {unknown} [body] */
  async function call(path, body) {
    const res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (res.status === 401) hooks.onUnauthorized();
    if (!res.ok) throw new Error(json.error ?? `${res.status} ${res.statusText}`);
    return json;
  }

  const message = h('p#admin-message.action-error', { role: 'status' });
  const say = (/** @type {string} */ text, ok = false) => {
    message.textContent = text;
    message.classList.toggle('ok', ok);
  };
  const usersBody = h('tbody');
  const dialog = passwordDialog(async (username, password) => {
    await call(`/api/users/${encodeURIComponent(username)}/password`, { password });
    say(t('admin.passwordReset', { user: username }), true);
    await loadUsers();
  });

  async function loadUsers() {
    try {
      const users = await call('/api/users');
      usersBody.replaceChildren(...users.map(userRow));
    } catch (err) {
      say(t('err.action', { msg: /** @type {Error} */ (err).message }));
    }
  }

  /** @param {string} username @param {'disable' | 'enable'} action */
  async function setDisabled(username, action) {
    try {
      await call(`/api/users/${encodeURIComponent(username)}/${action}`, {});
      say(t(action === 'disable' ? 'admin.wasDisabled' : 'admin.wasEnabled', { user: username }), true);
    } catch (err) {
      say(t('err.action', { msg: /** @type {Error} */ (err).message }));
    }
    await loadUsers();
  }

  /** @param {any} u */
  function userRow(u) {
    const self = u.username === session.user?.username;
    return h(
      `tr${u.disabled ? '.disabled' : ''}`,
      { dataset: { user: u.username } },
      h('td.username', null, u.username),
      h('td', null, u.name),
      h('td', null, t(`role.${u.role}`)),
      h('td.status', null, u.disabled ? t('admin.disabled') : t('admin.enabled')),
      h('td', null, formatTime(Date.parse(u.updated))),
      h(
        'td.actions',
        null,
        h('button.reset', { type: 'button', onclick: () => dialog.open(u.username) }, t('admin.reset')),
        u.disabled
          ? h(
              'button.enable',
              { type: 'button', onclick: () => setDisabled(u.username, 'enable') },
              t('admin.enable'),
            )
          : self
            ? null
            : h(
                'button.disable',
                { type: 'button', onclick: () => setDisabled(u.username, 'disable') },
                t('admin.disable'),
              ),
      ),
    );
  }

  // Add a user.
  const fUser = /** @type {HTMLInputElement} */ (
    h('input#new-username', { required: true, maxLength: 64, autocomplete: 'off' })
  );
  const fName = /** @type {HTMLInputElement} */ (
    h('input#new-name', { maxLength: 100, autocomplete: 'off' })
  );
  const fRole = /** @type {HTMLSelectElement} */ (
    h('select#new-role', null, ...ROLES.map((r) => h('option', { value: r }, t(`role.${r}`))))
  );
  const fPassword = /** @type {HTMLInputElement} */ (
    h('input#new-password', {
      type: 'password',
      required: true,
      minLength: 10,
      maxLength: 1024,
      autocomplete: 'new-password',
    })
  );
  const addForm = h(
    'form#add-user.admin-form',
    {
      onsubmit: async (/** @type {SubmitEvent} */ ev) => {
        ev.preventDefault();
        const username = fUser.value.trim();
        try {
          const body = { username, role: fRole.value, password: fPassword.value };
          if (fName.value.trim()) Object.assign(body, { name: fName.value.trim() });
          await call('/api/users', body);
          say(t('admin.added', { user: username }), true);
          fUser.value = '';
          fName.value = '';
          fPassword.value = '';
          await loadUsers();
        } catch (err) {
          say(t('err.action', { msg: /** @type {Error} */ (err).message }));
        }
      },
    },
    h('label', null, t('login.username'), fUser),
    h('label', null, t('admin.name'), fName),
    h('label', null, t('admin.role'), fRole),
    h('label', null, t('login.password'), fPassword),
    h('button#add-user-submit.primary', { type: 'submit' }, t('admin.add')),
  );

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
    h('h2', null, t('admin.config')),
    h('p.note', null, t('admin.configNote')),
    configRoot,
    dialog.el,
  );
  loadUsers();
  call('/api/config/summary')
    .then((summary) => configRoot.replaceChildren(...configView(summary)))
    .catch((err) => configRoot.replaceChildren(h('p.action-error', null, String(err.message))));
  return {};
}

/** The reset-password dialog. @param {(username: string, password: string) => Promise<void>} submit */
function passwordDialog(submit) {
  const title = h('h3');
  const password = /** @type {HTMLInputElement} */ (
    h('input#reset-password', {
      type: 'password',
      required: true,
      minLength: 10,
      maxLength: 1024,
      autocomplete: 'new-password',
    })
  );
  const error = h('p.action-error');
  let username = '';
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: async (/** @type {SubmitEvent} */ ev) => {
        ev.preventDefault();
        try {
          await submit(username, password.value);
          password.value = '';
          el.close();
        } catch (err) {
          error.textContent = t('err.action', { msg: /** @type {Error} */ (err).message });
        }
      },
    },
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
  const el = /** @type {HTMLDialogElement} */ (h('dialog.action', null, form));
  return {
    el,
    /** @param {string} user */
    open(user) {
      username = user;
      title.textContent = `${t('admin.reset')}: ${user}`;
      password.value = '';
      error.textContent = '';
      el.showModal();
    },
  };
}

/** @param {string[]} heads @param {(string | number | null | undefined)[][]} rows @param {string} [cls] */
function table(heads, rows, cls = '') {
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

const yesNo = (/** @type {boolean} */ v) => (v ? t('admin.yes') : t('admin.no'));

/** The summary, section by section. @param {any} s @returns {HTMLElement[]} */
function configView(s) {
  const g = s.gateway;
  const broker = g.mqtt.broker;
  const rooms = s.sites.flatMap((/** @type {any} */ site) =>
    site.buildings.flatMap((/** @type {any} */ b) =>
      (b.rooms.length ? b.rooms : [{ id: '', name: '', kind: '' }]).map((/** @type {any} */ r) => [
        site.name,
        b.name,
        r.name,
        r.kind ? t(`kind.${r.kind}`) : '',
      ]),
    ),
  );
  const settings = [
    ['admin.cfg.gateway', `${g.name} · ${g.web.host}:${g.web.port}`],
    [
      'admin.cfg.broker',
      broker.mode === 'embedded'
        ? `embedded ${broker.host}:${broker.port} · ${broker.users.map((/** @type {any} */ u) => u.username).join(', ') || '—'}`
        : `external ${broker.url}`,
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
        ? `${g.auth.sessionIdle} / ${g.auth.sessionMax}${g.auth.demoAccounts ? ' · demo' : ''}`
        : t('admin.no'),
    ],
    [
      'admin.cfg.channels',
      [
        s.notify.channels.email ? `e-mail ${s.notify.channels.email.host}` : '',
        ...s.notify.channels.webhooks.map((/** @type {any} */ w) => `${w.id} (${w.format}) ${w.url}`),
        s.notify.channels.mqtt ? `MQTT ${s.notify.channels.mqtt.topic}` : '',
      ]
        .filter(Boolean)
        .join(' · ') || '—',
    ],
  ];
  const duty = s.duty;
  return [
    h(
      'dl.settings',
      null,
      ...settings.flatMap(([k, v]) => [h('dt', null, t(/** @type {string} */ (k))), h('dd', null, v)]),
    ),
    h('h3', null, t('admin.cfg.places')),
    table(['admin.cfg.site', 'admin.cfg.building', 'admin.cfg.room', 'admin.cfg.kind'], rooms, 'cfg-rooms'),
    h('h3', null, t('admin.cfg.lines')),
    table(
      ['admin.cfg.id', 'admin.name', 'admin.cfg.transport', 'admin.cfg.address', 'admin.cfg.timeout'],
      s.lines.map((/** @type {any} */ l) => [
        l.id,
        l.name,
        l.transport,
        l.address,
        `${l.timeout} ×${l.retries + 1}`,
      ]),
      'cfg-lines',
    ),
    h('h3', null, t('admin.cfg.profiles')),
    table(
      ['admin.cfg.id', 'admin.name', 'admin.cfg.equipment', 'admin.cfg.protocol', 'admin.cfg.points'],
      s.profiles.map((/** @type {any} */ p) => [p.id, p.name, p.equipment, p.protocol, p.points]),
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
      s.devices.map((/** @type {any} */ d) => [
        d.id,
        d.name + (d.enabled ? '' : ` (${t('admin.disabled')})`),
        d.profile,
        `${d.site}/${d.building}/${d.room}`,
        d.connection.protocol === 'modbus'
          ? `Modbus ${d.connection.line} #${d.connection.unitId}`
          : `MQTT ${d.connection.topic}`,
        yesNo(d.critical),
      ]),
      'cfg-devices',
    ),
    h('h3', null, t('admin.cfg.rules')),
    table(
      ['admin.cfg.id', 'col.priority', 'admin.cfg.type', 'admin.cfg.applies', 'admin.cfg.condition'],
      s.alarms.rules.map((/** @type {any} */ r) => [
        r.id + (r.enabled ? '' : ` (${t('admin.disabled')})`),
        t(`p.${r.priority}`),
        r.type,
        r.applies + (r.where ? ` · ${whereText(r.where)}` : ''),
        r.condition,
      ]),
      'cfg-rules',
    ),
    h('h3', null, t('admin.cfg.duty')),
    duty
      ? table(
          ['admin.cfg.team', 'admin.cfg.equipment', 'admin.cfg.onDuty'],
          [
            ...duty.teams.map((/** @type {any} */ team) => [
              team.name,
              team.equipment.join(', '),
              team.onDuty.map((/** @type {any} */ p) => p.name).join(', ') || '—',
            ]),
            ...duty.levels.map((/** @type {any} */ l) => [
              l.level,
              '',
              l.onDuty.map((/** @type {any} */ p) => p.name).join(', ') || '—',
            ]),
          ],
          'cfg-duty',
        )
      : h('p.note', null, '—'),
    duty ? h('p.note', null, `${t(`admin.shift.${duty.shift}`)} · ${duty.dutyDate} (${duty.timezone})`) : '',
  ].filter((el) => el !== '');
}

/** @param {Record<string, unknown>} where */
function whereText(where) {
  return Object.entries(where)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
}
