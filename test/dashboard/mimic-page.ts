/** What the mimic tests read off a room page in Chromium: its symbols by kind, and cut labels. */
import type { Page } from 'playwright-core';

/** How many symbols of each kind the mimic shows. */
export const symbolCounts = (p: Page) =>
  p.$$eval('.mimic-svg .sym', (els) => {
    const counts: Record<string, number> = {};
    for (const el of els) {
      const kind = el.getAttribute('data-symbol') ?? '?';
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  });

/** Labels wider than their room, or on more lines than allowed, without a tooltip naming them in full. */
export const cutLabels = (p: Page) =>
  p.$$eval('.mimic-svg text[data-width]', (els) =>
    els
      .map((el) => {
        // Runs in the page: an SVG <text> (this tsconfig has no DOM types to name it).
        const text = el as unknown as {
          getBBox(): { width: number };
          getAttribute(name: string): string | null;
          querySelector(s: string): { textContent: string | null } | null;
          textContent: string | null;
        };
        const width = Number(text.getAttribute('data-width'));
        const full = text.getAttribute('data-full') ?? '';
        const title = text.querySelector('title')?.textContent ?? '';
        const fits = text.getBBox().width <= width + 1;
        const whole = text.textContent?.replace(title, '').replace(/\s+/g, '') === full.replace(/\s+/g, '');
        return fits && (whole || title === full) ? null : `${full} (${text.getBBox().width} > ${width})`;
      })
      .filter((x) => x !== null),
  );
