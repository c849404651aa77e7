// Energy › Consumption: electricity or water per site, building, room or meter over hours,
// days or months; stacked bars, the table with its gaps marked, each figure's cost and kg CO₂e
// and a CSV link, counter events, cost and carbon by month (energy-cost.ts), each group's
// share, this month against the same days of last month, and the hourly load profile of the
// last 7 days.
import type {
  BucketConsumption,
  Commodity,
  ConsumptionAnswer,
  ConsumptionReport,
  ConsumptionRow,
  CostReport,
  CounterEvent,
  Grouping,
  RangeBucket,
  Resolution,
} from '../../../src/web/api-types/energy.js';
import { getJson } from '../api.js';
import { plantDate, timeAxis, valueAxis } from '../axis.js';
import { h } from '../dom.js';
import { getLang, localName, t } from '../i18n.js';
import { localDate, plantZone } from '../time.js';
import type { TabView } from './energy.js';
import {
  axisStyle,
  bar,
  type ChartOptions,
  choice,
  csvLink,
  type DateRange,
  digitsFor,
  energyUrl,
  errorNote,
  meterNames,
  monthComparison,
  num,
  type PeriodState,
  paletteAt,
  periodPicker,
  periodRange,
  plotIn,
  type Query,
  themeColour,
  toggle,
  uPlot,
  when,
} from './energy-common.js';
import { type CellCost, type CostIndex, costIndex, drawCost, together, withCost } from './energy-cost.js';
import { drawTree, isTree, knownParts, treeName, treeParts } from './energy-tree.js';

const COMMODITIES: readonly Commodity[] = ['electricity', 'water'];
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

/** A row's name in the page's language. */
const rowName = (r: Pick<ConsumptionRow, 'name' | 'nameZh'>): string => localName(r.name, r.nameZh);

export function render(root: HTMLElement): TabView {
  let disposers: (() => void)[] = [];
  let generation = 0;

  const tools = h('div.e-tools');
  const chartBox = h('div#e-consumption-chart.e-chart', { dataset: { state: 'loading' } });
  const partialNote = h('p#e-partial-note.note', { hidden: true });
  const tableBox = h('div#e-consumption-table', { dataset: { state: 'loading' } });
  const notes = h('div#e-consumption-notes');
  const costBox = h('div#e-cost', { dataset: { state: 'loading' } });
  const shareBox = h('div#e-share');
  const compareBox = h('div#e-compare', { dataset: { state: 'loading' } });
  const profileBox = h('div#e-profile.e-chart', { dataset: { state: 'loading' } });
  const title = h('h2');

  root.replaceChildren(
    tools,
    h('section.panel.e-section', null, title, chartBox, partialNote),
    h('section.panel.e-section', null, tableBox, notes),
    h('section.panel.e-section', null, costBox),
    h(
      'div.e-grid',
      null,
      h('section.panel.e-section', null, h('h2', null, t('energy.share')), shareBox),
      h('section.panel.e-section', null, h('h2', null, t('energy.compare')), compareBox),
    ),
    h(
      'section.panel.e-section.e-noprint',
      null,
      h('h2', null, t('energy.profile')),
      h('p.note', null, t('energy.profileNote')),
      profileBox,
    ),
  );

  function drawTools() {
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
      choice(
        'e-resolution',
        t('energy.resolution'),
        RESOLUTIONS,
        state.resolution,
        (r) => t(`energy.res.${r}`),
        (r) => {
          state.resolution = r;
          load();
        },
      ),
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

  function dispose() {
    for (const d of disposers) d();
    disposers = [];
  }

  async function load() {
    drawTools();
    dispose();
    const mine = ++generation;
    const range = periodRange(state);
    const query: Query = {
      commodity: state.commodity,
      from: range.from,
      to: range.to,
      resolution: state.resolution,
      groupBy: state.groupBy,
    };
    const url = energyUrl('consumption', query);
    title.textContent = t('energy.consumptionTitle', {
      commodity: t(`energy.commodity.${state.commodity}`),
      from: range.from,
      to: range.to,
    });
    for (const box of [chartBox, tableBox, costBox, compareBox, profileBox]) box.dataset.state = 'loading';
    // The main report first; its cost, the comparison and load profile are extra requests beside it.
    const main = getJson<ConsumptionAnswer>(url);
    const costs = loadCosts(query);
    const names = meterNames();
    const compare = loadComparison();
    const profile = getJson<ConsumptionReport>(
      energyUrl('consumption', {
        commodity: state.commodity,
        from: '-7d',
        to: String(Date.now()),
        resolution: 'hour',
        groupBy: 'site',
      }),
    );
    try {
      const [report, cellCosts] = await Promise.all([main, costs.cells]);
      if (mine !== generation) return;
      // By meter, the metering tree: the chart and the shares take the rows that share out the
      // total (meters with nothing below them, and each level's unmetered rest), never two levels.
      const index = costIndex(cellCosts);
      if (isTree(report)) {
        const parts = treeParts(report);
        drawChart(parts);
        drawTree(tableBox, report, url, valueCell, index);
        drawShare(knownParts(parts));
      } else {
        drawChart(report);
        drawTable(report, url, index);
        drawShare(report);
      }
      drawNotes(report, await names);
    } catch (err) {
      if (mine !== generation) return;
      chartBox.replaceChildren(errorNote(err));
      tableBox.replaceChildren();
      notes.replaceChildren();
      shareBox.replaceChildren();
      chartBox.dataset.state = 'error';
      tableBox.dataset.state = 'error';
    }
    try {
      const months = await costs.months;
      if (mine === generation)
        drawCost(costBox, months, (r) => (r.kind ? treeName(r) : h('th', { scope: 'row' }, rowName(r))));
    } catch (err) {
      if (mine !== generation) return;
      costBox.replaceChildren(errorNote(err));
      costBox.dataset.state = 'error';
    }
    try {
      const [current, previous] = await compare;
      if (mine === generation) drawComparison(current, previous);
    } catch (err) {
      if (mine !== generation) return;
      compareBox.replaceChildren(errorNote(err));
      compareBox.dataset.state = 'error';
    }
    try {
      const hourly = await profile;
      if (mine === generation) drawProfile(hourly);
    } catch (err) {
      if (mine !== generation) return;
      profileBox.replaceChildren(errorNote(err));
      profileBox.dataset.state = 'error';
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

  /** This month so far and the same days of last month, by building: two requests. */
  function loadComparison() {
    const { current, previous } = monthComparison();
    const ask = (r: DateRange) =>
      getJson<ConsumptionReport>(
        energyUrl('consumption', {
          commodity: state.commodity,
          from: r.from,
          to: r.to,
          resolution: 'month',
          groupBy: 'building',
        }),
      );
    return Promise.all([ask(current), ask(previous)]);
  }

  function drawChart(report: ConsumptionReport): void {
    const rows = report.rows;
    notePartial(report.buckets);
    if (rows.length === 0 || report.buckets.length === 0) {
      chartBox.replaceChildren(h('p.note', null, t('energy.noMeters')));
      chartBox.dataset.state = 'ready';
      return;
    }
    // One bar per period, labelled with its local name (categories, not a time axis).
    const labels = report.buckets.map((b) => shortLabel(b.label, report.resolution));
    const xs = labels.map((_l, i) => i);
    const raw = rows.map((r) => r.buckets.map((b) => b.value));
    // Stacked: each series is the running sum up to its group, drawn tallest first.
    const stacked: (number | null)[][] = [];
    let below = xs.map(() => 0);
    for (const values of raw) {
      const sum = values.map((v, i) => (below[i] ?? 0) + (v ?? 0));
      stacked.push(sum.map((s, i) => (raw.every((r) => r[i] === null) ? null : s)));
      below = sum;
    }
    const order = rows.map((_, i) => i).reverse();
    const partial = report.buckets.flatMap((b, i) => (b.partial ? [i] : []));
    const bars = uPlot.paths.bars?.({ size: [0.7, 80], gap: 1 });
    const options = (): ChartOptions => {
      const axis = axisStyle();
      return {
        height: 280,
        scales: {
          x: { time: false, range: () => [-0.5, xs.length - 0.5] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
        },
        legend: { live: true },
        cursor: { points: { show: false } },
        hooks: { draw: [(u) => hatch(u, partial, below)] },
        series: [
          {
            label: t('energy.col.period'),
            value: (_u, v) => (v === null ? '—' : (report.buckets[v]?.label ?? '')),
          },
          ...order.map(
            (i): uPlot.Series => ({
              label: rowName(rows[i] ?? { name: '' }),
              fill: paletteAt(i),
              stroke: paletteAt(i),
              width: 0,
              ...(bars ? { paths: bars } : {}),
              points: { show: false },
              value: (_u, _v, _si, idx) => (idx === null ? '—' : `${num(raw[i]?.[idx])} ${report.unit}`),
            }),
          ),
        ],
        axes: [
          {
            ...axis,
            space: report.resolution === 'hour' ? 70 : 40,
            incrs: [1, 2, 3, 4, 6, 7, 12, 24, 48, 96, 168],
            values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
          },
          valueAxis(axis, report.unit),
        ],
      };
    };
    disposers.push(plotIn(chartBox, options, [xs, ...order.map((i) => stacked[i] ?? [])]));
    chartBox.dataset.state = 'ready';
  }

  /** Under the chart, which bars are periods still going on. */
  function notePartial(buckets: readonly RangeBucket[]): void {
    const going = buckets.filter((b) => b.partial).map(periodName);
    partialNote.hidden = going.length === 0;
    partialNote.textContent = going.length ? t('energy.partialNote', { periods: going.join(', ') }) : '';
  }

  function drawTable(report: ConsumptionReport, url: string, costs: CostIndex): void {
    const costed = (td: HTMLTableCellElement, f: CellCost | null) =>
      withCost(td, f, costs.currency, report.unit);
    const rows = report.rows;
    const unit = report.unit;
    const max = Math.max(0, ...rows.flatMap((r) => r.buckets.map((b) => b.value ?? 0)));
    const digits = digitsFor(max);
    const head = h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, t('energy.col.period')),
        ...rows.map((r) => h('th.num', { dataset: { key: r.key }, title: r.meters.join(', ') }, rowName(r))),
        h('th.num.total', null, t('energy.col.total')),
      ),
    );
    const body = h(
      'tbody',
      null,
      ...report.buckets.map((b, i) => {
        const cells = rows.map((r) => r.buckets[i]);
        const known = cells.flatMap((c) => (c && c.value !== null ? [c.value] : []));
        const sum = known.reduce((s, v) => s + v, 0);
        const partial = known.length > 0 && known.length < cells.length;
        const costsAt = rows.map((r) => costs.at(r.key, b.start));
        return h(
          `tr${b.partial ? '.partial' : ''}`,
          { dataset: { bucket: b.label } },
          h(
            'th',
            { scope: 'row' },
            periodName(b),
            b.partial ? h('span.e-partial', { title: t('energy.partialTitle') }, t('energy.partial')) : null,
          ),
          ...cells.map((c, j) => costed(valueCell(c, digits), costsAt[j] ?? null)),
          known.length === 0
            ? h('td.num.total.nodata', { title: t('energy.noReadings') }, '—')
            : costed(
                h(
                  'td.num.total',
                  null,
                  h('span.v', null, num(sum, digits)),
                  partial ? h('sup.mark', { title: t('energy.partialTotal') }, '*') : null,
                ),
                together(costsAt),
              ),
        );
      }),
    );
    const foot = h(
      'tfoot',
      null,
      h(
        'tr',
        { dataset: { bucket: 'total' } },
        h('th', { scope: 'row' }, t('energy.col.total')),
        ...rows.map((r) => {
          const unassigned = r.gaps.filter((g) => !g.allocatedTo).reduce((s, g) => s + g.consumption, 0);
          return costed(
            h(
              'td.num',
              { dataset: { key: r.key } },
              h('span.v', null, num(r.total, digits)),
              unassigned > 0
                ? h(
                    'sup.mark',
                    { title: t('energy.unassignedGap', { value: num(unassigned, digits), unit }) },
                    '†',
                  )
                : null,
            ),
            costs.total(r.key),
          );
        }),
        costed(h('td.num.total', null, h('span.v', null, num(report.total, digits))), costs.all),
      ),
    );
    tableBox.replaceChildren(
      h(
        'div.e-table-head',
        null,
        h('h2', null, t('energy.tableTitle', { unit })),
        csvLink(url, 'e-consumption-csv'),
      ),
      rows.length === 0
        ? h('p.note', null, t('energy.noMeters'))
        : h('div.scroll', null, h('table.e-table.e-consumption', null, head, body, foot)),
      h('p.note.e-legend', null, t('energy.legend')),
    );
    tableBox.dataset.state = 'ready';
  }

  /** Counter events and gaps, oldest first; `names`: device → meter name. */
  function drawNotes(report: ConsumptionAnswer, names: Map<string, string>): void {
    const items: { ts: number; el: HTMLElement }[] = [];
    const seen = new Set<string>();
    for (const r of report.rows) {
      for (const e of r.events) {
        const key = `e|${e.meter}|${e.ts}|${e.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        items.push({
          ts: e.ts,
          el: h(
            'li',
            { dataset: { kind: e.kind, meter: e.meter } },
            h('span.e-when', null, when(e.ts)),
            ' ',
            h(`span.e-kind.k-${e.kind}`, null, t(`energy.event.${e.kind}`)),
            ' ',
            h('strong', null, names.get(e.meter) ?? e.meter),
            ': ',
            eventText(e),
          ),
        });
      }
      for (const g of r.gaps) {
        const key = `g|${g.meter}|${g.from}`;
        if (seen.has(key)) continue;
        seen.add(key);
        items.push({
          ts: g.from,
          el: h(
            'li',
            { dataset: { kind: 'gap', meter: g.meter } },
            h('span.e-when', null, `${when(g.from)} – ${when(g.to)}`),
            ' ',
            h('span.e-kind.k-gap', null, t('energy.event.gap')),
            ' ',
            h('strong', null, names.get(g.meter) ?? g.meter),
            ': ',
            g.allocatedTo
              ? t('energy.gapAllocated', { value: num(g.consumption), unit: report.unit, to: g.allocatedTo })
              : t('energy.gapUnallocated', { value: num(g.consumption), unit: report.unit }),
          ),
        });
      }
    }
    items.sort((a, b) => a.ts - b.ts);
    notes.replaceChildren(
      h('h3', null, t('energy.notes')),
      items.length === 0
        ? h('p#e-no-events.note', null, t('energy.noEvents'))
        : h('ul#e-events.e-notes', null, ...items.map((i) => i.el)),
    );
  }

  function drawShare(report: ConsumptionReport): void {
    // A group without data (total null) last: it has no share, not a share of 0.
    const rows = [...report.rows].sort((a, b) => (b.total ?? -1) - (a.total ?? -1));
    const total = report.total || 0;
    if (rows.length === 0 || total <= 0) {
      shareBox.replaceChildren(h('p.note', null, t('energy.noData')));
      return;
    }
    shareBox.replaceChildren(
      h(
        'table.e-share',
        null,
        h(
          'tbody',
          null,
          ...rows.map((r) =>
            h(
              'tr',
              { dataset: { key: r.key } },
              h('th', { scope: 'row' }, rowName(r)),
              h('td.e-bar-cell', null, bar(r.total === null ? null : r.total / total)),
              h(
                'td.num',
                null,
                r.total === null ? t('energy.noDataShort') : `${num(r.total)} ${report.unit}`,
              ),
              h('td.num', null, r.total === null ? '—' : `${num((100 * r.total) / total, 1)} %`),
            ),
          ),
        ),
      ),
    );
  }

  function drawComparison(current: ConsumptionReport, previous: ConsumptionReport): void {
    const keys = [...new Set([...current.rows, ...previous.rows].map((r) => r.key))];
    const byKey = (rep: ConsumptionReport, k: string) => rep.rows.find((r) => r.key === k);
    const max = Math.max(
      1,
      ...keys.flatMap((k) => [byKey(current, k)?.total ?? 0, byKey(previous, k)?.total ?? 0]),
    );
    const span = (rep: ConsumptionReport) => `${localDate(rep.from)} – ${localDate(rep.to - 1)}`;
    compareBox.replaceChildren(
      h(
        'div.scroll',
        null,
        h(
          'table.e-table.e-compare',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, t('energy.col.building')),
              h('th.num', null, t('energy.lastMonth'), h('br'), h('small', null, span(previous))),
              h('th.num', null, t('energy.thisMonth'), h('br'), h('small', null, span(current))),
              h('th.num', null, t('energy.change')),
            ),
          ),
          h(
            'tbody',
            null,
            ...keys.map((k) => {
              const now = byKey(current, k);
              const before = byKey(previous, k);
              // No change against a month without data: not −100 %.
              const [a, b] = [now?.total ?? null, before?.total ?? null];
              const change = a !== null && b !== null && b > 0 ? (a - b) / b : null;
              return h(
                'tr',
                { dataset: { key: k } },
                h('th', { scope: 'row' }, rowName(now ?? before ?? { name: k })),
                totalCell(b, max, 'prev'),
                totalCell(a, max),
                h(
                  'td.num',
                  null,
                  change === null
                    ? '—'
                    : `${change > 0 ? '▲ +' : change < 0 ? '▼ ' : ''}${num(change * 100, 1)} %`,
                ),
              );
            }),
          ),
        ),
      ),
      h('p.note', null, t('energy.compareNote', { unit: current.unit })),
    );
    compareBox.dataset.state = 'ready';
  }

  function drawProfile(report: ConsumptionReport): void {
    if (report.rows.length === 0) {
      profileBox.replaceChildren(h('p.note', null, t('energy.noMeters')));
      profileBox.dataset.state = 'ready';
      return;
    }
    const xs = report.buckets.map((b) => b.start / 1000);
    const sum = report.buckets.map((b, i) => {
      // The hour still going on (cut at now) would read as a dip: left out.
      if (b.partial || b.clipped) return null;
      const values = report.rows.map((r) => r.buckets[i]?.value ?? null);
      return values.every((v) => v === null) ? null : values.reduce<number>((s, v) => s + (v ?? 0), 0);
    });
    const options = (): ChartOptions => {
      const axis = axisStyle();
      return {
        height: 220,
        tzDate: plantDate,
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        series: [
          { label: t('energy.col.time') },
          {
            label: t('energy.perHour', { unit: report.unit }),
            stroke: paletteAt(0),
            width: 1.5,
            spanGaps: false,
            value: (_u, v) => num(v),
          },
        ],
        axes: [timeAxis({ ...axis, space: 50 }), valueAxis(axis)],
      };
    };
    disposers.push(plotIn(profileBox, options, [xs, sum]));
    profileBox.dataset.state = 'ready';
  }

  load();
  return { dispose };
}

/**
 * A period's name in the table: one cut to whole days reads "1–7 Nov 2026" / "2026年11月1日至7日";
 * others (whole periods, or cut at a time of day) their label.
 */
function periodName(b: RangeBucket): string {
  if (!b.clipped || b.label.includes(':')) return b.label;
  const days = new Intl.DateTimeFormat(getLang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: plantZone(),
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  return days.formatRange(b.start, b.end - 1);
}

/** A counter event in the page's language: in Chinese from its figures, in English the gateway's words. */
function eventText(e: CounterEvent): string {
  if (getLang() !== 'zh') return e.message;
  const digits = digitsFor(Math.max(Math.abs(e.before), Math.abs(e.after)));
  return t(`energy.eventText.${e.kind}`, { before: num(e.before, digits), after: num(e.after, digits) });
}

/** A comparison cell: the total and its bar, or "no data" (not 0). */
function totalCell(total: number | null, max: number, cls?: string): HTMLTableCellElement {
  if (total === null) return h('td.num.nodata', { title: t('energy.noReadings') }, t('energy.noDataShort'));
  return h('td.num', null, num(total), h('br'), bar(total / max, cls));
}

/**
 * Diagonal stripes of the panel's colour over the bars of periods still going on (`indices`;
 * `tops`: the stacked totals): lighter, so that a period half over does not read as a dip.
 */
function hatch(u: uPlot, indices: readonly number[], tops: readonly number[]): void {
  const { ctx } = u;
  const slot = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
  const half = Math.min(0.35 * slot, 40 * devicePixelRatio);
  const step = 6 * devicePixelRatio;
  const panel = themeColour('--panel', '#eceded');
  for (const i of indices) {
    const x = u.valToPos(i, 'x', true) - half;
    const top = u.valToPos(tops[i] ?? 0, 'y', true);
    const height = u.valToPos(0, 'y', true) - top;
    if (height <= 0) continue;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, top, 2 * half, height);
    ctx.clip();
    // Faded towards the panel behind the chart: lighter by day, darker by night.
    ctx.fillStyle = panel;
    ctx.globalAlpha = 0.35;
    ctx.fill();
    ctx.beginPath();
    for (let s = x - height; s < x + 2 * half; s += step) {
      ctx.moveTo(s, top + height);
      ctx.lineTo(s + height, top);
    }
    ctx.strokeStyle = panel;
    ctx.globalAlpha = 0.8;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.stroke();
    ctx.restore();
  }
}

/** A period's name on the chart axis: "11-25", "25 14:00", "2026-11". */
function shortLabel(label: string, resolution: Resolution): string {
  if (resolution === 'day') return label.slice(5);
  if (resolution === 'hour') return label.slice(8, 16);
  return label;
}

/** A table cell: the value, or "—" for no readings; marked when a gap is in it or it is partly covered. */
function valueCell(c: BucketConsumption | undefined, digits: number): HTMLTableCellElement {
  if (!c || c.value === null) return h('td.num.nodata', { title: t('energy.noReadings') }, '—');
  const why: string[] = [];
  if (c.includesGap) why.push(t('energy.estimated'));
  // Rounded down: a day a few minutes short must not read "cover 100 %".
  if (c.coverage < 1) why.push(t('energy.coverage', { pct: num(Math.floor(c.coverage * 1000) / 10, 1) }));
  return h(
    `td.num${why.length ? '.marked' : ''}`,
    { title: why.join(' · ') || null },
    h('span.v', null, num(c.value, digits)),
    why.length ? h('sup.mark', null, c.includesGap ? '≈' : '*') : null,
  );
}
