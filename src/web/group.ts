/**
 * GET /api/group and /api/group/energy: the hospital group's view (src/group), each answer cut
 * to the campuses the signed-in user works for (every campus without login or without a scope).
 */
import { type Request, Router } from 'express';
import type { CampusEnergy, GroupEnergy, groupEnergyRoute, groupRoute } from '../api-types/group.js';
import type { Answer } from '../api-types/route.js';
import type { Cell, Table } from '../reports/csv.js';
import { sendTable } from './tables.js';

export interface GroupView {
  /** Every campus, or those of `sites`. */
  status(sites?: readonly string[]): GroupStatusAnswer;
  /** Each campus's months of `year` (local calendar), or those of `sites`. */
  energy(year: number, sites?: readonly string[]): GroupEnergy;
  /** The group's calendar: the year a request without ?year= means. */
  currentYear(): number;
}
type GroupStatusAnswer = Answer<typeof groupRoute>;

const scopeOf = (req: Request): readonly string[] | undefined => req.user?.sites;

export function groupRouter(group: GroupView): Router {
  const router = Router();
  router.get('/group', (req, res) => {
    res.json(group.status(scopeOf(req)) satisfies GroupStatusAnswer);
  });
  router.get('/group/energy', (req, res) => {
    const text = typeof req.query.year === 'string' ? req.query.year : undefined;
    const year = text === undefined ? group.currentYear() : Number(text);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) {
      res.status(400).json({ error: 'year: a year such as 2026' });
      return;
    }
    const answer = group.energy(year, scopeOf(req)) satisfies Answer<typeof groupEnergyRoute>;
    sendTable(req, res, `group-energy-${year}`, answer, energyTable);
  });
  return router;
}

const FIGURES: readonly [keyof CampusEnergy, string][] = [
  ['electricityKwh', 'electricity (kWh)'],
  ['gasM3', 'gas (m³)'],
  ['waterM3', 'water (m³)'],
  ['tce', 'standard coal (tce)'],
];

/** One row per campus and month, then each campus's year and the group's, with last year beside. */
function energyTable(energy: GroupEnergy): Table {
  const figures = (e: CampusEnergy) => FIGURES.map(([key]) => e[key]);
  const columns = [
    'campus',
    'campus (zh)',
    'month',
    ...FIGURES.map(([, label]) => label),
    ...FIGURES.map(([, label]) => `last year ${label}`),
    'area (m²)',
    'beds',
  ];
  const rows = energy.campuses.flatMap((campus) => [
    ...campus.months.map((m) => [
      campus.site,
      campus.nameZh ?? campus.name,
      m.month,
      ...figures(m),
      ...figures(m.lastYear),
      campus.areaM2,
      campus.beds,
    ]),
    [
      campus.site,
      campus.nameZh ?? campus.name,
      String(energy.year),
      ...figures(campus.total),
      ...figures(campus.lastYearTotal),
      campus.areaM2,
      campus.beds,
    ],
    // The year per m² and per bed (last year's columns left empty: the API gives this year's).
    ...intensityRows(campus, energy.year),
  ]);
  rows.push([
    'group',
    '集团合计',
    String(energy.year),
    ...figures(energy.total),
    ...figures(energy.lastYearTotal),
    null,
    null,
  ]);
  return { columns, rows };
}

/** A campus's year per m² and per bed, when its area and beds are known. */
function intensityRows(campus: GroupEnergy['campuses'][number], year: number): Cell[][] {
  const row = (label: string, e: CampusEnergy | null): Cell[][] =>
    e
      ? [
          [
            campus.site,
            campus.nameZh ?? campus.name,
            `${year} ${label}`,
            ...FIGURES.map(([key]) => e[key]),
            ...FIGURES.map(() => null),
            campus.areaM2,
            campus.beds,
          ],
        ]
      : [];
  return [...row('per m²', campus.perM2), ...row('per bed', campus.perBed)];
}
