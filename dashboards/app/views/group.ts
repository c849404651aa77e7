// The hospital group (#/group): every campus the signed-in user may see, from GET /api/group,
// refreshed every 10 s — its state (normal / alarm / unknown: a campus whose link is down or
// silent is never shown as healthy), how long ago it was heard, devices down, alarms by priority
// and the active ones (each a link into the campus's own dashboard), today's electricity, gas,
// water and tce, per m² and per bed. Read-only by design: alarms are acknowledged at the
// campus. The monthly table is group-energy.ts (#/group/energy).
import type { CampusAlarm, CampusEnergy, CampusStatus, GroupStatus } from '../../../src/api-types/group.js';
import type { SiteInfo } from '../../../src/api-types/site.js';
import { ApiError, getJson } from '../api.js';
import { h } from '../dom.js';
import { formatAge } from '../format.js';
import { getLang, localName, t } from '../i18n.js';
import { type Counts, PRIORITIES } from '../plant.js';
import { alarmPills, priorityBadge, SHAPES } from '../salience.js';
import { session } from '../session.js';
import { dateTime, formatTime } from '../time.js';

const REFRESH_MS = 10_000;
/** A gateway that does not answer within this is as good as unreachable (a hung one never errs). */
const ANSWER_WITHIN_MS = 8_000;
/** Active alarms listed on a card; the rest are counted, and the campus's own page has them. */
const LISTED = 6;

/** The four figures, in the order the pages show them. */
export const FIGURES: readonly (keyof CampusEnergy)[] = ['electricityKwh', 'gasM3', 'waterM3', 'tce'];

// ---- Shared with group-energy.ts and the shell ----

/**
 * A branch campus's user on the group's address: this gateway serves the group view and the
 * user works for other campuses only (`sites` without this gateway's `site`, or a gateway that
 * names no campus of its own: the gateway refuses such a user its campus pages, 403). Such a
 * user sees the group pages only. No `sites`: every campus (a group manager, an administrator).
 */
export function groupOnly(site: Pick<SiteInfo, 'site' | 'group'> | null): boolean {
  const sites = (session.user as { sites?: readonly string[] } | null)?.sites;
  if (!site?.group || !sites) return false;
  return site.site === undefined || !sites.includes(site.site);
}

/** The group's name, once /api/group has answered (the energy page's title uses it too). */
let groupName: { name: string; nameZh?: string | undefined } | null = null;

/** A campus's name in the page's language first, the other language's beside it, smaller. */
export function campusName(c: { name: string; nameZh?: string | undefined }): HTMLElement {
  const first = localName(c.name, c.nameZh);
  const other = getLang() === 'zh' ? c.name : c.nameZh;
  return h('span.g-name', null, first, other && other !== first ? h('small.g-name-alt', null, other) : null);
}

/** The title (the group's name) and the two tabs. */
export function pageHead(tab: 'status' | 'energy', title: HTMLElement, ...tools: HTMLElement[]): HTMLElement {
  title.textContent = groupName ? localName(groupName.name, groupName.nameZh) : t('nav.group');
  return h(
    'div.g-head',
    null,
    h(
      'div.e-header',
      null,
      h('h1.page-title', null, title, h('small', null, t(`group.tab.${tab}`))),
      tools.length ? h('span.g-tools', null, ...tools) : null,
    ),
    h(
      'nav.e-tabs.g-tabs',
      { 'aria-label': t('nav.group') },
      ...(['status', 'energy'] as const).map((k) =>
        h(
          `a${k === tab ? '.on' : ''}`,
          { href: k === 'status' ? '#/group' : '#/group/energy', 'aria-current': k === tab ? 'page' : null },
          t(`group.tab.${k}`),
        ),
      ),
    ),
  );
}

const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-GB');

/** A figure with `digits` decimals, or as fits its size (three significant digits below 1); "—" unknown. */
export function fig(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (digits === undefined && abs > 0 && abs < 1)
    return value.toLocaleString(locale(), { maximumSignificantDigits: 3 });
  const d = digits ?? (abs >= 1000 ? 0 : abs >= 100 ? 1 : 2);
  return value.toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Why a call failed, for a person. */
export const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// ---- The page ----

export function render(root: HTMLElement): { dispose: () => void; devices: string[] } {
  const title = h('span.g-title');
  const updated = h('span#g-updated.note');
  const problem = h('p#g-problem.error', { role: 'alert', hidden: true });
  const warning = h('p#g-broker.g-warn', { hidden: true }, '⚠ ', t('group.brokerDown'));
  const summary = h('p#g-summary.g-summary');
  const list = h('div#g-campuses.g-campuses', { dataset: { state: 'loading' } }, t('loading'));
  root.replaceChildren(
    h(
      'div.g-page',
      null,
      pageHead('status', title, updated),
      h('p#g-readonly.link-note', null, t('group.readOnly')),
      problem,
      warning,
      summary,
      list,
    ),
  );

  /** The link ages shown, kept current between answers. */
  let ages: (() => void)[] = [];
  let lastAt = 0;
  let controller: AbortController | null = null;
  let disposed = false;

  async function load() {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    let late = false;
    const wait = setTimeout(() => {
      late = true;
      mine.abort();
    }, ANSWER_WITHIN_MS);
    try {
      const status = await getJson<GroupStatus>('/api/group', mine.signal);
      clearTimeout(wait);
      if (disposed || mine.signal.aborted) return;
      // The gateway's clock, not this browser's, tells how long ago a campus was heard.
      const skew = Date.now() - status.now;
      lastAt = Date.now();
      groupName = { name: status.name, nameZh: status.nameZh };
      title.textContent = localName(status.name, status.nameZh);
      updated.textContent = t('group.updated', { time: formatTime(lastAt) });
      problem.hidden = true;
      warning.hidden = status.broker.connected;
      summary.textContent = summaryText(status.campuses);
      ages = [];
      list.dataset.state = 'ok';
      list.classList.remove('g-old');
      if (status.campuses.length === 0) list.replaceChildren(h('p.none', null, t('group.none')));
      else
        list.replaceChildren(...status.campuses.map((c) => campusCard(c, skew, (tick) => ages.push(tick))));
    } catch (err) {
      clearTimeout(wait);
      if (disposed || (mine.signal.aborted && !late)) return;
      const msg = late ? t('group.noAnswer') : reason(err);
      problem.hidden = false;
      if (err instanceof ApiError && err.status === 404) problem.textContent = t('group.notServed');
      else if (lastAt) problem.textContent = t('group.refreshFailed', { msg, time: formatTime(lastAt) });
      else problem.textContent = t('group.error', { msg });
      // What is still shown is old: greyed, like an unknown campus.
      list.classList.toggle('g-old', lastAt > 0);
      if (!lastAt) list.replaceChildren();
      list.dataset.state = 'error';
    }
  }

  load();
  const timer = setInterval(load, REFRESH_MS);
  const ticker = setInterval(() => {
    for (const tick of ages) tick();
  }, 1000);
  return {
    // Nothing of this campus's live values is shown here.
    devices: [],
    dispose() {
      disposed = true;
      clearInterval(timer);
      clearInterval(ticker);
      controller?.abort();
    },
  };
}

function summaryText(campuses: readonly CampusStatus[]): string {
  const n = (state: CampusStatus['state']) => campuses.filter((c) => c.state === state).length;
  return t('group.summary', {
    n: campuses.length,
    normal: n('normal'),
    alarm: n('alarm'),
    unknown: n('unknown'),
  });
}

/** One campus: state, link, devices, alarms, today's energy, and the way to its own dashboard. */
function campusCard(c: CampusStatus, skew: number, keepAge: (tick: () => void) => void): HTMLElement {
  const active: Counts = { critical: 0, high: 0, medium: 0, low: 0 };
  const unack: Counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const p of PRIORITIES) {
    active[p] = c.alarms[p].active;
    unack[p] = c.alarms[p].unacknowledged;
  }
  // The edge in the most urgent active priority; the tint while its alarms await an ack.
  const worst = PRIORITIES.find((p) => active[p] > 0 || unack[p] > 0);
  const worstUnack = worst !== undefined && unack[worst] > 0;

  const heardAt = c.link.lastHeard === null ? null : c.link.lastHeard + skew;
  const link = h('span.g-link', { dataset: { link: c.link.state } });
  const showAge = () => {
    link.textContent =
      c.link.state === 'never' || heardAt === null
        ? t('group.link.never')
        : t(c.link.state === 'up' ? 'group.link.up' : 'group.link.down', { age: formatAge(heardAt) });
  };
  showAge();
  keepAge(showAge);
  // The gateway's reason (in English only) as the tooltip: the line says it in the page's language.
  link.title = [
    heardAt !== null ? t('group.link.title', { time: dateTime(c.link.lastHeard) }) : '',
    c.why ?? '',
  ]
    .filter(Boolean)
    .join(' — ');

  return h(
    'article.g-campus',
    {
      dataset: {
        site: c.site,
        state: c.state,
        ...(worst ? { worst } : {}),
        ...(worstUnack ? { unack: '' } : {}),
      },
    },
    h(
      'header.g-campus-head',
      null,
      h('h2.g-campus-name', null, campusName(c)),
      stateBadge(c.state, worst, worstUnack, c.why),
    ),
    h('p.g-line', null, link),
    h('p.g-line.g-devices', null, h('span.g-label', null, t('group.devices')), ' ', devicesText(c)),
    h(
      'p.g-line.g-counts',
      null,
      h('span.g-count', null, h('span.g-label', null, t('group.unack')), alarmPills(unack, 'unack')),
      h('span.g-count.g-active', null, h('span.g-label', null, t('group.active')), activePills(active)),
    ),
    alarmList(c),
    todayTable(c),
    c.url
      ? h('a.g-open', { href: c.url }, t('group.open'), ' →')
      : h('p.g-line.note', null, t('group.noUrl')),
  );
}

/** Normal grey; an alarm in its most urgent priority (colour, shape, word); unknown hatched with ⚠. */
function stateBadge(
  state: CampusStatus['state'],
  worst: CampusAlarm['priority'] | undefined,
  unack: boolean,
  why: string | undefined,
) {
  const word = h('span.prio-word', null, t(`group.state.${state}`));
  if (state === 'alarm' && worst)
    return h(
      `span.g-state.s-alarm.prio.p-${worst}${unack ? '.unack' : '.ack'}`,
      { dataset: { priority: worst }, title: why },
      h('span.shape', { 'aria-hidden': 'true' }, SHAPES[worst]),
      word,
    );
  const shape = state === 'normal' ? '✓' : state === 'unknown' ? '⚠' : '!';
  return h(
    `span.g-state.s-${state}`,
    { title: why },
    h('span.shape', { 'aria-hidden': 'true' }, shape),
    word,
  );
}

function devicesText(c: CampusStatus): HTMLElement {
  if (!c.devices) return h('span.g-value', null, '—');
  const { total, down } = c.devices;
  return down > 0
    ? h('span.g-value.g-down', null, t('group.devicesDown', { down, total }))
    : h('span.g-value', null, t('group.devicesUp', { total }));
}

/** Active counts: outlined pills (filled ones are the unacknowledged). */
function activePills(counts: Counts): HTMLElement {
  const pills = alarmPills(counts, 'all');
  pills.classList.add('g-outline');
  for (const p of PRIORITIES) {
    const pill = pills.querySelector<HTMLElement>(`.pill[data-priority="${p}"]`);
    const title = t('group.activeTitle', { n: counts[p], priority: t(`p.${p}`) });
    pill?.setAttribute('title', title);
    pill?.setAttribute('aria-label', title);
  }
  return pills;
}

const UNACKNOWLEDGED = new Set(['active-unacknowledged', 'returned-unacknowledged']);

/** The most urgent active alarms, each a link to it on the campus's own dashboard. */
function alarmList(c: CampusStatus): HTMLElement {
  if (c.activeAlarms.length === 0) return h('p.g-line.g-no-alarms.note', null, t('group.noAlarms'));
  // The list holds at most 50: the counts tell how many there are.
  const total = Math.max(
    c.activeAlarms.length,
    PRIORITIES.reduce((n, p) => n + c.alarms[p].active, 0),
  );
  const hidden = total - Math.min(LISTED, c.activeAlarms.length);
  return h(
    'div.g-alarms',
    null,
    h(
      'ul.g-alarm-list',
      null,
      ...c.activeAlarms.slice(0, LISTED).map((a) => {
        const unack = UNACKNOWLEDGED.has(a.state);
        const place = a.device
          ? localName(a.deviceName ?? a.device, a.deviceNameZh)
          : a.roomName
            ? localName(a.roomName, a.roomNameZh)
            : '';
        const href = a.url ?? (c.url ? `${c.url}/#/alarms/${encodeURIComponent(a.id)}` : undefined);
        const parts = [
          priorityBadge(a.priority, unack),
          h('span.g-alarm-place', null, place),
          h('span.g-alarm-since', { title: dateTime(a.since) }, formatTime(a.since)),
          h(
            'span.g-alarm-text',
            null,
            localName(a.message, a.messageZh),
            unack ? null : h('span.g-acked', null, ` · ${t('group.acked')}`),
          ),
        ];
        return h(
          `li.g-alarm${unack ? '.unack' : ''}`,
          { dataset: { priority: a.priority, alarm: a.id } },
          href ? h('a', { href }, ...parts) : h('span', null, ...parts),
        );
      }),
    ),
    hidden > 0
      ? c.url
        ? h('a.g-more', { href: `${c.url}/#/alarms` }, t('group.more', { n: hidden }))
        : h('span.g-more', null, t('group.more', { n: hidden }))
      : null,
  );
}

/** Today's electricity, gas, water and tce, per m² and per bed; greyed "as of" when unknown. */
function todayTable(c: CampusStatus): HTMLElement {
  const unknown = c.state === 'unknown';
  const asOf = c.today?.asOf ?? c.link.lastHeard;
  const row = (label: string, e: CampusEnergy | null | undefined) =>
    h('tr', null, h('th', { scope: 'row' }, label), ...FIGURES.map((k) => h('td.num', null, fig(e?.[k]))));
  const size = [
    c.areaM2 !== null ? `${fig(c.areaM2, 0)} m²` : null,
    c.beds !== null ? `${fig(c.beds, 0)} ${t('group.energy.beds')}` : null,
  ].filter(Boolean);
  return h(
    `div.g-today${unknown ? '.g-old' : ''}`,
    null,
    h(
      'table.g-figures',
      null,
      h('thead', null, h('tr', null, h('td'), ...FIGURES.map((k) => h('th.num', null, t(`group.col.${k}`))))),
      h(
        'tbody',
        null,
        row(t('group.today'), c.today),
        row(t('group.perM2'), c.perM2),
        row(t('group.perBed'), c.perBed),
      ),
    ),
    h(
      'p.g-line.g-asof',
      null,
      !c.today && (unknown || c.link.state === 'never')
        ? h('span.g-stamp', null, t('group.noFigures'))
        : unknown && asOf
          ? h('span.g-stamp', null, t('group.asOf', { time: dateTime(asOf) }))
          : null,
      size.length ? h('span.g-size', null, size.join(' · ')) : null,
    ),
  );
}
