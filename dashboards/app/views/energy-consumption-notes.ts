// Energy › Consumption's notes under the table: counter events (resets, replacements, …) and
// gaps in the readings, each once, oldest first.
import type { ConsumptionAnswer, ConsumptionRow, CounterEvent } from '../../../src/api-types/energy.js';
import { h } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { digitsFor, num, when } from './energy-common.js';

interface Note {
  /** What makes two rows' copies of a note the same one. */
  key: string;
  ts: number;
  el: HTMLElement;
}

/** Counter events and gaps, oldest first; `names`: device → meter name. */
export function drawNotes(box: HTMLElement, report: ConsumptionAnswer, names: Map<string, string>): void {
  const unique = new Map<string, Note>();
  for (const r of report.rows)
    for (const note of [...eventNotes(r, names), ...gapNotes(r, names, report.unit)])
      if (!unique.has(note.key)) unique.set(note.key, note);
  const items = [...unique.values()].sort((a, b) => a.ts - b.ts);
  box.replaceChildren(
    h('h3', null, t('energy.notes')),
    items.length === 0
      ? h('p#e-no-events.note', null, t('energy.noEvents'))
      : h('ul#e-events.e-notes', null, ...items.map((i) => i.el)),
  );
}

const eventNotes = (r: ConsumptionRow, names: Map<string, string>): Note[] =>
  r.events.map((e) => ({
    key: `e|${e.meter}|${e.ts}|${e.kind}`,
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
  }));

const gapNotes = (r: ConsumptionRow, names: Map<string, string>, unit: string): Note[] =>
  r.gaps.map((g) => ({
    key: `g|${g.meter}|${g.from}`,
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
        ? t('energy.gapAllocated', { value: num(g.consumption), unit, to: g.allocatedTo })
        : t('energy.gapUnallocated', { value: num(g.consumption), unit }),
    ),
  }));

/** A counter event in the page's language: in Chinese from its figures, in English the gateway's words. */
function eventText(e: CounterEvent): string {
  if (getLang() !== 'zh') return e.message;
  const digits = digitsFor(Math.max(Math.abs(e.before), Math.abs(e.after)));
  return t(`energy.eventText.${e.kind}`, { before: num(e.before, digits), after: num(e.after, digits) });
}
