/**
 * Tables as CSV: what energy managers and department heads paste into their monthly reports.
 * Spreadsheet programs run formulas in CSV cells, so text cells that start like one are
 * quoted as text; a BOM makes Excel read the UTF-8 (Chinese building names) correctly.
 */
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';

export type Cell = string | number | boolean | null | undefined;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

/**
 * CSV/formula injection: a text cell starting with = + - @ (or tab/CR) is prefixed with '.
 * Header cells too: they carry names from the config ("<building> (kWh)"). Only a cell that is
 * wholly a negative number ("-5", "-0.25") is left alone: "-2+3+cmd|' /C calc'!A0" starts with
 * a digit after its minus and is still a formula to a spreadsheet.
 */
function safeCell(cell: Cell): Cell {
  if (typeof cell !== 'string') return cell;
  return /^[=+\-@\t\r]/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell) ? `'${cell}` : cell;
}

export function toCsv(table: Table): string {
  return `\uFEFF${stringify([table.columns.map(safeCell), ...table.rows.map((row) => row.map(safeCell))], {
    cast: { number: (n) => String(Math.round(n * 1000) / 1000), boolean: (b) => (b ? 'yes' : 'no') },
  })}`;
}

/** Local "YYYY-MM-DD HH:MM" in the plant's zone, or empty. */
export const localTime = (ts: number | null | undefined, zone: string): string =>
  ts === null || ts === undefined ? '' : DateTime.fromMillis(ts, { zone }).toFormat('yyyy-MM-dd HH:mm');
