/**
 * The handover of a team's shift: what happened in it (alarms raised and acknowledged, alarms
 * still open, work orders, maintenance due), the handover written for it, and writing one.
 */
import type { AlarmService } from '../alarms/index.js';
import type { DutyRoster } from '../notify/index.js';
import type { PlantDirectory } from './directory.js';
import type { Handover, HandoverBook } from './handover.js';
import type { HandoverSummary, HandoverView, ShiftWindow } from './index.js';
import type { MaintenanceWatch } from './maintenance-watch.js';
import type { WorkOrderBook } from './work-orders.js';

export interface ShiftHandoverParts {
  alarms: AlarmService;
  roster: DutyRoster;
  handovers: HandoverBook;
  workOrders: WorkOrderBook;
  maintenance: MaintenanceWatch;
  directory: PlantDirectory;
}

export interface ShiftHandovers {
  view(team: string, at: number): HandoverView;
  submit(team: string, notes: string, user: string, at: number): Handover;
}

export function shiftHandovers(parts: ShiftHandoverParts): ShiftHandovers {
  const { roster, handovers, directory } = parts;
  return {
    view(team, at) {
      directory.knownTeam(team);
      const shift = roster.shiftOf(at);
      const existing = handovers
        .list({ team, from: shift.from, to: shift.to + 1, limit: 5 })
        .find((h) => h.dutyDate === shift.dutyDate && h.shift === shift.shift);
      return {
        team,
        teams: directory.teams(),
        shift,
        summary: shiftSummary(parts, team, shift),
        handover: existing ?? null,
        pending: handovers.pending(team),
      };
    },
    submit(team, notes, user, at) {
      directory.knownTeam(team);
      const shift = roster.shiftOf(at);
      const { shift: kind, dutyDate, from: shiftFrom, to: shiftTo } = shift;
      const summary = shiftSummary(parts, team, shift);
      return handovers.submit({ team, shift: kind, dutyDate, shiftFrom, shiftTo, notes, summary }, user);
    },
  };
}

function shiftSummary(parts: ShiftHandoverParts, team: string, shift: ShiftWindow): HandoverSummary {
  const { directory, workOrders, maintenance } = parts;
  const teamOf = (device: string | undefined) => directory.teamFor(device) === team;
  const orders = workOrders.list({ team, limit: 10_000 });
  const during = (at: number | undefined) => at !== undefined && at >= shift.from && at < shift.to;
  return {
    alarms: alarmsRaised(parts.alarms, shift, teamOf),
    openAlarms: openAlarms(parts.alarms, teamOf),
    workOrders: {
      opened: orders.filter((o) => during(o.createdAt)),
      completed: orders.filter((o) => during(o.completedAt)),
      open: orders.filter((o) => ['open', 'accepted', 'on-site'].includes(o.status)),
    },
    maintenance: maintenance
      .status(shift.to)
      .filter(
        (s) =>
          (s.state === 'overdue' || s.state === 'due-soon') &&
          (s.task.team ?? directory.teamFor(s.task.device)) === team,
      ),
  };
}

type OfTeam = (device: string | undefined) => boolean;

/** The team's alarms raised in the shift, each with who acknowledged it, if anyone did. */
function alarmsRaised(alarms: AlarmService, shift: ShiftWindow, ofTeam: OfTeam): HandoverSummary['alarms'] {
  const events = alarms.history({ from: shift.from, to: shift.to, limit: 10_000 }).reverse();
  const acks = events.filter((e) => e.kind === 'acknowledged');
  return events
    .filter((e) => e.kind === 'activated' && ofTeam(e.device))
    .map((e) => {
      const ack = acks.find((a) => a.alarmId === e.alarmId && a.ts >= e.ts);
      return {
        alarmId: e.alarmId,
        priority: e.priority,
        message: e.message,
        ...(e.messageZh ? { messageZh: e.messageZh } : {}),
        activatedAt: e.ts,
        ...(ack ? { acknowledgedAt: ack.ts, ...(ack.user ? { acknowledgedBy: ack.user } : {}) } : {}),
      };
    });
}

function openAlarms(alarms: AlarmService, ofTeam: OfTeam): HandoverSummary['openAlarms'] {
  return alarms
    .list()
    .filter((a) => ofTeam(a.device))
    .map((a) => ({
      id: a.id,
      priority: a.priority,
      message: a.message,
      ...(a.messageZh ? { messageZh: a.messageZh } : {}),
      state: a.state,
      since: a.since,
    }));
}
