/**
 * Shift handover: the outgoing electrician submits notes and a snapshot of the shift (alarms,
 * open alarms, work orders), and the incoming one acknowledges it, so the record shows who
 * handed what to whom and when.
 *
 * One handover per team, duty date and shift. Submitting again for the same shift replaces
 * the notes, snapshot, shift times, author and submission time of the earlier handover (same
 * id) as long as nobody has accepted it: until then it is a draft the outgoing shift may correct.
 * Once accepted it is final, and a new submission for that shift is refused.
 */
import type Database from 'better-sqlite3';
import { normalizeUsername } from '../vocabulary/users.js';

export const SHIFTS = ['day', 'night', 'holiday'] as const;
export type Shift = (typeof SHIFTS)[number];

export interface Handover {
  id: number;
  team: string;
  shift: Shift;
  /** "YYYY-MM-DD": the local date the shift is rostered on (a night shift's starting date). */
  dutyDate: string;
  shiftFrom: number;
  shiftTo: number;
  outgoingUser: string;
  notes: string;
  /** JSON snapshot of the shift given by the caller (alarms, open alarms, work orders). */
  summary: unknown;
  submittedAt: number;
  incomingUser?: string;
  acceptedAt?: number;
  acceptComment?: string;
}

export type NewHandover = Pick<
  Handover,
  'team' | 'shift' | 'dutyDate' | 'shiftFrom' | 'shiftTo' | 'notes'
> & {
  summary?: unknown;
};

export interface HandoverFilter {
  team?: string;
  /** Shifts starting at or after (epoch ms). */
  from?: number;
  /** Shifts starting before (epoch ms). */
  to?: number;
  /** Newest shift first; at most this many (default 100). */
  limit?: number;
}

/** A refused handover operation, with a message fit to show the person who asked. */
export class HandoverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandoverError';
  }
}

interface HandoverRow {
  id: number;
  team: string;
  shift: Shift;
  duty_date: string;
  shift_from: number;
  shift_to: number;
  outgoing_user: string;
  notes: string;
  summary: string | null;
  submitted_at: number;
  incoming_user: string | null;
  accepted_at: number | null;
  accept_comment: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class HandoverBook {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Submits the shift's handover, or corrects it while it is still unaccepted (see the file comment). */
  submit(input: NewHandover, user: string, at: number = this.now()): Handover {
    const handover = checkedHandover(input);
    const by = checkedUser(user);
    return this.db.transaction(() => {
      const earlier = this.db
        .prepare<[string, string, string], HandoverRow>(
          'SELECT * FROM handovers WHERE team = ? AND duty_date = ? AND shift = ?',
        )
        .get(handover.team, handover.dutyDate, handover.shift);
      const values = {
        ...handover,
        summary: handover.summary === undefined ? null : JSON.stringify(handover.summary),
        by,
        at,
      };
      if (!earlier) {
        const result = this.db
          .prepare(
            `INSERT INTO handovers (team, shift, duty_date, shift_from, shift_to, outgoing_user, notes, summary,
               submitted_at)
             VALUES (@team, @shift, @dutyDate, @shiftFrom, @shiftTo, @by, @notes, @summary, @at)`,
          )
          .run(values);
        return this.mustGet(Number(result.lastInsertRowid));
      }
      if (earlier.accepted_at !== null)
        throw new HandoverError(
          `the ${describe(earlier)} handover was already accepted by ${earlier.incoming_user} at ` +
            `${iso(earlier.accepted_at)}; it cannot be replaced`,
        );
      this.db
        .prepare(
          `UPDATE handovers SET shift_from = @shiftFrom, shift_to = @shiftTo, outgoing_user = @by,
             notes = @notes, summary = @summary, submitted_at = @at WHERE id = @id`,
        )
        .run({ ...values, id: earlier.id });
      return this.mustGet(earlier.id);
    })();
  }

  /** The incoming user acknowledges the handover: someone other than its author, and only once. */
  accept(id: number, user: string, comment?: string, at: number = this.now()): Handover {
    const by = checkedUser(user);
    return this.db.transaction(() => {
      const row = this.mustGetRow(id);
      if (row.accepted_at !== null)
        throw new HandoverError(
          `the ${describe(row)} handover was already accepted by ${row.incoming_user} at ${iso(row.accepted_at)}`,
        );
      if (normalizeUsername(by) === normalizeUsername(row.outgoing_user))
        throw new HandoverError(
          `${by} wrote the ${describe(row)} handover and cannot also accept it: the incoming shift must`,
        );
      if (at < row.submitted_at)
        throw new HandoverError(
          `cannot accept the ${describe(row)} handover at ${iso(at)}: it was submitted later, at ` +
            iso(row.submitted_at),
        );
      this.db
        .prepare('UPDATE handovers SET incoming_user = ?, accepted_at = ?, accept_comment = ? WHERE id = ?')
        .run(by, at, comment?.trim() || null, id);
      return this.mustGet(id);
    })();
  }

  get(id: number): Handover | undefined {
    const row = this.row(id);
    return row ? toHandover(row) : undefined;
  }

  list(filter: HandoverFilter = {}): Handover[] {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (filter.team !== undefined) {
      clauses.push('team = ?');
      params.push(filter.team);
    }
    if (filter.from !== undefined) {
      clauses.push('shift_from >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      clauses.push('shift_from < ?');
      params.push(filter.to);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM handovers ${where} ORDER BY shift_from DESC, id DESC LIMIT ?`)
      .all(...params, filter.limit ?? 100) as HandoverRow[];
    return rows.map(toHandover);
  }

  /** Submitted and not yet accepted, oldest shift first: what the incoming shift has to read. */
  pending(team?: string): Handover[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM handovers WHERE accepted_at IS NULL ${team !== undefined ? 'AND team = ?' : ''}
         ORDER BY shift_from, id`,
      )
      .all(...(team !== undefined ? [team] : [])) as HandoverRow[];
    return rows.map(toHandover);
  }

  private row(id: number): HandoverRow | undefined {
    return this.db.prepare<[number], HandoverRow>('SELECT * FROM handovers WHERE id = ?').get(id);
  }

  private mustGetRow(id: number): HandoverRow {
    const row = this.row(id);
    if (!row) throw new HandoverError(`no handover with id ${id}`);
    return row;
  }

  private mustGet(id: number): Handover {
    return toHandover(this.mustGetRow(id));
  }
}

function checkedHandover(input: NewHandover): NewHandover {
  const team = typeof input.team === 'string' ? input.team.trim() : '';
  if (!team) throw new HandoverError('a handover needs a team');
  if (!SHIFTS.includes(input.shift))
    throw new HandoverError(`unknown shift "${input.shift}" (one of ${SHIFTS.join(', ')})`);
  if (!DATE.test(input.dutyDate) || Number.isNaN(Date.parse(input.dutyDate)))
    throw new HandoverError(`invalid duty date "${input.dutyDate}": expected "YYYY-MM-DD"`);
  if (
    !(Number.isFinite(input.shiftFrom) && Number.isFinite(input.shiftTo) && input.shiftFrom < input.shiftTo)
  )
    throw new HandoverError(
      `the shift must end after it starts (from ${input.shiftFrom}, to ${input.shiftTo})`,
    );
  if (typeof input.notes !== 'string') throw new HandoverError('a handover needs notes (may be empty text)');
  const { shift, dutyDate, shiftFrom, shiftTo, summary } = input;
  return { team, shift, dutyDate, shiftFrom, shiftTo, notes: input.notes.trim(), summary };
}

function checkedUser(user: string): string {
  const name = typeof user === 'string' ? user.trim() : '';
  if (!name) throw new HandoverError('a handover step needs the user who took it');
  return name;
}

/** "electrical day shift of 2026-03-02": how a handover is named in messages. */
function describe(row: HandoverRow): string {
  return `${row.team} ${row.shift} shift of ${row.duty_date}`;
}

function toHandover(row: HandoverRow): Handover {
  return {
    id: row.id,
    team: row.team,
    shift: row.shift,
    dutyDate: row.duty_date,
    shiftFrom: row.shift_from,
    shiftTo: row.shift_to,
    outgoingUser: row.outgoing_user,
    notes: row.notes,
    summary: row.summary === null ? undefined : (JSON.parse(row.summary) as unknown),
    submittedAt: row.submitted_at,
    ...(row.incoming_user !== null ? { incomingUser: row.incoming_user } : {}),
    ...(row.accepted_at !== null ? { acceptedAt: row.accepted_at } : {}),
    ...(row.accept_comment !== null ? { acceptComment: row.accept_comment } : {}),
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
