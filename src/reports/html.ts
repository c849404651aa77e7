/**
 * The monthly report's HTML pieces: escaped text, figures as the report prints them (en-GB
 * grouping, "—" or "no data" where nothing is known, never 0), tables and sections.
 */

export const escapeHtml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' })[c] as string,
  );

export const number = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${number(value, 1)} %`;

/** A figure, or "no data" where no reading tells anything of the period (not 0). */
export const totalText = (total: number | null | undefined, digits = 0) =>
  total === null || total === undefined ? 'no data' : number(total, digits);

/** The change in %; none against a period without data or with nothing used. */
export function changeOf(now: number | null | undefined, earlier: number | null | undefined): number | null {
  if (now === null || now === undefined || earlier === null || earlier === undefined || earlier === 0)
    return null;
  return ((now - earlier) / earlier) * 100;
}

/** A cell's text; `alert` marks a figure to act on (drawn in red). */
export type HtmlCell = string | { text: string; alert: boolean };

const cell = (c: HtmlCell) =>
  typeof c === 'string'
    ? `<td>${escapeHtml(c)}</td>`
    : `<td${c.alert ? ' class="alert"' : ''}>${escapeHtml(c.text)}</td>`;

export function table(head: string[], rows: HtmlCell[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>${body}`;
