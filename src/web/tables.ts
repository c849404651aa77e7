/** Every report table the API serves as JSON is also a CSV download (?format=csv). */
import type { Request, Response } from 'express';
import { type Table, toCsv } from '../reports/csv.js';

export const wantsCsv = (req: Request) => req.query.format === 'csv';

/** JSON, or with ?format=csv the same data as a table download named `name`.csv. */
export function sendTable<T>(
  req: Request,
  res: Response,
  name: string,
  data: T,
  table: (data: T) => Table,
): void {
  if (!wantsCsv(req)) {
    res.json(data);
    return;
  }
  const safeName = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  res
    .type('text/csv; charset=utf-8')
    .attachment(`${safeName}.csv`)
    .send(toCsv(table(data)));
}
