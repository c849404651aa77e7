// Energy › Consumption: electricity, water or gas per site, building, room or meter over hours,
// days or months; stacked bars, the table with its gaps marked, each figure's cost and kg CO₂e
// and a CSV link, the site's tonnes of standard coal (electricity and gas: energy-equivalents.ts),
// counter events, cost and carbon by month (energy-cost.ts), each group's share, this month
// against the same days of last month, and the hourly load profile of the last 7 days.
import type {
  Commodity,
  ConsumptionAnswer,
  ConsumptionReport,
  CostReport,
  Equivalents,
  Grouping,
  Resolution,
} from '../../../src/api-types/energy.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import type { TabView } from './energy.js';
import {
  choice,
  type DateRange,
  energyUrl,
  errorNote,
  meterNames,
  monthComparison,
  type PeriodState,
  periodPicker,
  periodRange,
  type Query,
  resolutionPicker,
  toggle,
} from './energy-common.js';
import { drawChart, drawProfile, type Keep } from './energy-consumption-chart.js';
import { drawNotes } from './energy-consumption-notes.js';
import { drawComparison, drawShare } from './energy-consumption-share.js';
import { drawTable, rowName, valueCell } from './energy-consumption-table.js';
import { costIndex, drawCost } from './energy-cost.js';
import { drawEquivalents, hasEquivalents } from './energy-equivalents.js';
import { drawTree, isTree, knownParts, treeName, treeParts } from './energy-tree.js';

const COMMODITIES: readonly Commodity[] = ['electricity', 'water', 'gas'];
const RESOLUTIONS: readonly Resolution[] = ['hour', 'day', 'month'];
const GROUPINGS: readonly Grouping[] = ['site', 'building', 'room', 'meter'];

interface ConsumptionState extends PeriodState {
  commodity: Commodity;
  resolution: Resolution;
  groupBy: Grouping;
}

/** What the energy manager chose, kept while moving between tabs. */
const state: ConsumptionState = {
  commodity: 'electricity',
  period: 'this-month',
  from: '',
  to: '',
  resolution: 'day',
  groupBy: 'building',
};

/** The view's panels, and where their charts' disposers go. */
interface Panels {
  tools: HTMLElement;
  title: HTMLElement;
  chart: HTMLElement;
  partialNote: HTMLElement;
  table: HTMLElement;
  /** The site's tce (electricity and gas), under the table. */
  tce: HTMLElement;
  notes: HTMLElement;
  cost: HTMLElement;
  share: HTMLElement;
  compare: HTMLElement;
  profile: HTMLElement;
  keep: Keep;
}

export function render(root: HTMLElement): TabView {
  let disposers: (() => void)[] = [];
  let generation = 0;
  const panels = layout(root, (d) => disposers.push(d));

  function dispose() {
    for (const d of disposers) d();
    disposers = [];
  }

  async function load() {
    drawTools(panels.tools, load);
    dispose();
    const mine = ++generation;
    const current = () => mine === generation;
    const range = periodRange(state);
    const query: Query = {
      commodity: state.commodity,
      from: range.from,
      to: range.to,
      resolution: state.resolution,
      groupBy: state.groupBy,
    };
    panels.title.textContent = t('energy.consumptionTitle', {
      commodity: t(`energy.commodity.${state.commodity}`),
      from: range.from,
      to: range.to,
    });
    const { chart, table, tce, cost, compare, profile } = panels;
    for (const box of [chart, table, tce, cost, compare, profile]) box.dataset.state = 'loading';
    // The main report first; its cost, the comparison and load profile are extra requests beside it.
    const url = energyUrl('consumption', query);
    const report = getJson<ConsumptionAnswer>(url);
    const costs = loadCosts(query);
    const names = meterNames();
    const equivalents = loadEquivalents(query);
    const comparison = loadComparison();
    const hourly = loadProfile();
    await drawReport(panels, current, url, { report, cells: costs.cells, names, equivalents });
    await fill(current, cost, costs.months, (months) =>
      drawCost(cost, months, (r) => (r.kind ? treeName(r) : h('th', { scope: 'row' }, rowName(r)))),
    );
    await fill(current, compare, comparison, ([now, before]) => drawComparison(compare, now, before));
    await fill(current, profile, hourly, (hours) => drawProfile(profile, hours, panels.keep));
  }

  load();
  return { dispose };
}

function layout(root: HTMLElement, keep: Keep): Panels {
  const panels: Panels = {
    tools: h('div.e-tools'),
    title: h('h2'),
    chart: h('div#e-consumption-chart.e-chart', { dataset: { state: 'loading' } }),
    partialNote: h('p#e-partial-note.note', { hidden: true }),
    table: h('div#e-consumption-table', { dataset: { state: 'loading' } }),
    tce: h('div#e-tce.e-tce-panel', { hidden: true, dataset: { state: 'loading' } }),
    notes: h('div#e-consumption-notes'),
    cost: h('div#e-cost', { dataset: { state: 'loading' } }),
    share: h('div#e-share'),
    compare: h('div#e-compare', { dataset: { state: 'loading' } }),
    profile: h('div#e-profile.e-chart', { dataset: { state: 'loading' } }),
    keep,
  };
  root.replaceChildren(
    panels.tools,
    h('section.panel.e-section', null, panels.title, panels.chart, panels.partialNote),
    h('section.panel.e-section', null, panels.table, panels.tce, panels.notes),
    h('section.panel.e-section', null, panels.cost),
    h(
      'div.e-grid',
      null,
      h('section.panel.e-section', null, h('h2', null, t('energy.share')), panels.share),
      h('section.panel.e-section', null, h('h2', null, t('energy.compare')), panels.compare),
    ),
    h(
      'section.panel.e-section.e-noprint',
      null,
      h('h2', null, t('energy.profile')),
      h('p.note', null, t('energy.profileNote')),
      panels.profile,
    ),
  );
  return panels;
}

/** The commodity, the period, the resolution and the grouping; each change loads again. */
function drawTools(tools: HTMLElement, load: () => void): void {
  tools.replaceChildren(
    toggle(
      'commodity',
      COMMODITIES,
      state.commodity,
      (c) => t(`energy.commodity.${c}`),
      (c) => {
        state.commodity = c;
        load();
      },
    ),
    periodPicker(state, load),
    resolutionPicker('e-resolution', RESOLUTIONS, state, load),
    choice(
      'e-group',
      t('energy.groupBy'),
      GROUPINGS,
      state.groupBy,
      (g) => t(`energy.group.${g}`),
      (g) => {
        state.groupBy = g;
        load();
      },
    ),
  );
}

/**
 * The chart, the table, the shares and the notes of the report, once it and its cells' cost
 * are in; an error in their place if it cannot be had. Nothing once `current` says a newer load began.
 */
async function drawReport(
  panels: Panels,
  current: () => boolean,
  url: string,
  pending: {
    report: Promise<ConsumptionAnswer>;
    cells: Promise<CostReport | null>;
    names: Promise<Map<string, string>>;
    /** By meter, the site's tce from a report of its own (the tree's answer has none). */
    equivalents: Promise<Equivalents | null>;
  },
): Promise<void> {
  try {
    const [report, cellCosts] = await Promise.all([pending.report, pending.cells]);
    if (!current()) return;
    // By meter, the metering tree: the chart and the shares take the rows that share out the
    // total (meters with nothing below them, and each level's unmetered rest), never two levels.
    const index = costIndex(cellCosts);
    if (isTree(report)) {
      const parts = treeParts(report);
      drawChart(panels.chart, panels.partialNote, parts, panels.keep);
      drawTree(panels.table, report, url, valueCell, index);
      drawShare(panels.share, knownParts(parts));
    } else {
      drawChart(panels.chart, panels.partialNote, report, panels.keep);
      drawTable(panels.table, report, url, index);
      drawShare(panels.share, report);
    }
    const [names, equivalents] = await Promise.all([pending.names, pending.equivalents]);
    if (!current()) return;
    drawEquivalents(
      panels.tce,
      isTree(report) ? equivalents : report.equivalents,
      report.commodity,
      report.buckets,
      report.resolution,
    );
    drawNotes(panels.notes, report, names);
  } catch (err) {
    if (!current()) return;
    panels.chart.replaceChildren(errorNote(err));
    panels.table.replaceChildren();
    panels.tce.replaceChildren();
    panels.tce.hidden = true;
    panels.notes.replaceChildren();
    panels.share.replaceChildren();
    panels.chart.dataset.state = 'error';
    panels.table.dataset.state = 'error';
  }
}

/** A panel of its own request: drawn when it answers, or the error in its place. */
async function fill<T>(
  current: () => boolean,
  box: HTMLElement,
  pending: Promise<T>,
  draw: (answer: T) => void,
) {
  try {
    const answer = await pending;
    if (current()) draw(answer);
  } catch (err) {
    if (!current()) return;
    box.replaceChildren(errorNote(err));
    box.dataset.state = 'error';
  }
}

/**
 * The cost by month (the cost section) and at the table's resolution (its cells), for the
 * consumption `query`. Hours are not costed one by one: by hour, the totals alone, from the
 * days. A cost that cannot be had leaves the figures without one.
 */
function loadCosts(query: Query): { months: Promise<CostReport>; cells: Promise<CostReport | null> } {
  const ask = (resolution: string) => getJson<CostReport>(energyUrl('cost', { ...query, resolution }));
  const months = ask('month');
  const totalsOnly = (r: CostReport): CostReport => ({
    ...r,
    rows: r.rows.map((row) => ({ ...row, periods: [] })),
  });
  const cells =
    query.resolution === 'month'
      ? months
      : query.resolution === 'day'
        ? ask('day')
        : ask('day').then(totalsOnly);
  return { months, cells: cells.catch(() => null) };
}

/**
 * By meter, the site's tce over the same periods: the tree's answer carries none, the site's
 * does. Grouped otherwise, or for water, nothing to ask (null); null too when it cannot be had.
 */
function loadEquivalents(query: Query): Promise<Equivalents | null> {
  if (query.groupBy !== 'meter' || !hasEquivalents(state.commodity)) return Promise.resolve(null);
  return getJson<ConsumptionReport>(energyUrl('consumption', { ...query, groupBy: 'site' }))
    .then((r) => r.equivalents ?? null)
    .catch(() => null);
}

/** The commodity's consumption over `range` at `resolution`, grouped by `groupBy`. */
const consumption = (range: DateRange, resolution: Resolution, groupBy: Grouping) =>
  getJson<ConsumptionReport>(
    energyUrl('consumption', {
      commodity: state.commodity,
      from: range.from,
      to: range.to,
      resolution,
      groupBy,
    }),
  );

/** This month so far and the same days of last month, by building: two requests. */
function loadComparison() {
  const { current, previous } = monthComparison();
  const ask = (r: DateRange) => consumption(r, 'month', 'building');
  return Promise.all([ask(current), ask(previous)]);
}

/** The last 7 days by hour, per site (summed into the load profile). */
const loadProfile = () => consumption({ from: '-7d', to: String(Date.now()) }, 'hour', 'site');
