/**
 * What every route group of the records API shares: the context it is mounted with, turning the
 * records' errors into HTTP answers, and reading bodies and query parameters.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import {
  HandoverError,
  MaintenanceError,
  type RecordsService,
  UnknownWorkOrderError,
  WorkOrderError,
  WorkOrderStateError,
} from '../records/index.js';
import { BadRequest } from './history.js';

/** What a route group registers its routes with. */
export interface RecordsRoutes {
  router: Router;
  records: RecordsService;
  /** The action guard (login on), spread before an acting route's handler; empty with login off. */
  act: RequestHandler[];
  /** Login off: the acting user is the body's `user`. */
  loginOff: boolean;
  /** The records' time zone: of the CSV tables' times and the shifts. */
  zone: string;
}

function fail(res: Response, err: unknown): void {
  if (err instanceof BadRequest) res.status(400).json({ error: err.message });
  else if (err instanceof UnknownWorkOrderError) res.status(404).json({ error: err.message });
  else if (err instanceof WorkOrderStateError) res.status(409).json({ error: err.message });
  else if (err instanceof WorkOrderError || err instanceof HandoverError || err instanceof MaintenanceError)
    res
      .status(err.name === 'DuplicateWorkOrderError' || /already|accepted once/.test(err.message) ? 409 : 400)
      .json({
        error: err.message,
      });
  else throw err;
}

/** A route handler whose records errors answer 400/404/409; anything else goes to express. */
export const handle =
  (fn: (req: Request, res: Response) => void | Promise<void>) =>
  (req: Request, res: Response, next: (err?: unknown) => void) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch((err: unknown) => {
        try {
          fail(res, err);
        } catch (unexpected) {
          next(unexpected);
        }
      });
  };

/** The body, checked; and who acts: the session's user, or (login off) the body's. */
export function parseAction<S extends z.ZodType>(
  req: Request,
  schema: S,
  loginOff: boolean,
): { data: z.infer<S>; user: string } {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success)
    throw new BadRequest(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  const data = parsed.data as z.infer<S> & { user?: string };
  if (!loginOff) {
    if (data.user !== undefined) throw new BadRequest('the user is the one signed in');
    const user = req.user?.username;
    if (!user) throw new Error('records action without a signed-in user behind the action guard');
    return { data, user };
  }
  if (!data.user) throw new BadRequest('user: say who is acting (login is off)');
  return { data, user: data.user };
}

export const list = (raw: unknown) => (typeof raw === 'string' && raw !== '' ? raw.split(',') : undefined);

export const param = (req: Request, name: string): string => String(req.params[name] ?? '');

export function one(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new BadRequest('give each filter once');
  return raw;
}

export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** ?limit=, `fallback` when missing or not a number, never over `max`. */
export const limitOf = (req: Request, fallback: number, max: number) =>
  Math.min(Number(req.query.limit ?? fallback) || fallback, max);
