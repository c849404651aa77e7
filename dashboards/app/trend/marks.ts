// Alarm activations of the equipment, marked on the chart's time axis: a thin line across the
// plot in the priority's colour and a flag on the axis naming the priority. A flag is a button
// (phones do not hover): picking it says when, what and how urgent.
import type uPlot from 'uplot';
import type { JournalEntry } from '../../../src/api-types/alarms.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { alarmText } from '../plant.js';
import { dateTime } from '../time.js';

/** "2026-11-25 14:05 · critical · Chilled water supply high" */
export const markText = (e: JournalEntry): string =>
  `${dateTime(e.ts)} · ${t(`p.${e.priority}`)} · ${alarmText(e)}`;

/**
 * A uPlot plugin drawing `marks()` (read at every draw, so new activations need no new chart);
 * `onPick` gets the activation whose flag was pressed.
 */
export function alarmMarks(
  marks: () => readonly JournalEntry[],
  onPick: (e: JournalEntry) => void,
): uPlot.Plugin {
  let layer: HTMLElement | null = null;
  const place = (u: uPlot) => {
    if (!layer) {
      layer = h('div.trend-marks');
      u.over.append(layer);
    }
    const width = u.over.clientWidth;
    layer.replaceChildren(
      ...marks().flatMap((e) => {
        const x = u.valToPos(e.ts / 1000, 'x');
        if (!(x >= 0 && x <= width)) return [];
        const mark = h(
          `div.trend-mark.p-${e.priority}`,
          { dataset: { alarm: e.alarmId, ts: String(e.ts), priority: e.priority } },
          h(
            'button.trend-flag',
            { type: 'button', title: markText(e), 'aria-label': markText(e), onclick: () => onPick(e) },
            t(`p.${e.priority}`),
          ),
        );
        mark.style.left = `${x}px`;
        return [mark];
      }),
    );
  };
  return { hooks: { draw: [place] } };
}
