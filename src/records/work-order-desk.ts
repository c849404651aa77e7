/**
 * Opening work orders: by hand (hotline, patrol), from an alarm (prefilled from it), and by
 * the gateway itself for every activation of an alarm of the priorities it follows.
 */
import type { AlarmService } from '../alarms/index.js';
import type { Priority } from '../alarms/types.js';
import type { PlantConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { PlantDirectory } from './directory.js';
import type { NewOrderInput } from './index.js';
import { type WorkOrder, type WorkOrderBook, WorkOrderError } from './work-orders.js';

/** Who opened a work order the gateway opened by itself. */
export const AUTO_USER = 'plantwatch';

export interface WorkOrderDeskParts {
  config: PlantConfig;
  alarms: AlarmService;
  workOrders: WorkOrderBook;
  directory: PlantDirectory;
  log: Logger;
}

export interface WorkOrderDesk {
  open(input: NewOrderInput, user: string): WorkOrder;
  /** Returns the unsubscribe. */
  followAlarms(priorities: readonly Priority[]): () => void;
  /** Work orders not closed, per team. */
  openPerTeam(): Record<string, number>;
}

export function workOrderDesk(parts: WorkOrderDeskParts): WorkOrderDesk {
  const { alarms, workOrders, log } = parts;
  return {
    open: (input, user) =>
      input.alarmId !== undefined ? fromAlarm(parts, input.alarmId, input, user) : byHand(parts, input, user),
    followAlarms(priorities) {
      if (priorities.length === 0) return () => {};
      return alarms.subscribe((event) => {
        if (event.kind !== 'activated' || !priorities.includes(event.priority)) return;
        if (workOrders.openForAlarm(event.alarmId)) return;
        try {
          const order = fromAlarm(parts, event.alarmId, {}, AUTO_USER);
          log.info({ workOrder: order.number, alarm: event.alarmId }, 'work order opened for the alarm');
        } catch (err) {
          log.error({ err, alarm: event.alarmId }, 'could not open a work order for the alarm');
        }
      });
    },
    openPerTeam() {
      const perTeam: Record<string, number> = {};
      for (const order of workOrders.list({ status: ['open', 'accepted', 'on-site'], limit: 100_000 }))
        perTeam[order.team] = (perTeam[order.team] ?? 0) + 1;
      return perTeam;
    },
  };
}

function byHand({ config, workOrders, directory }: WorkOrderDeskParts, input: NewOrderInput, user: string) {
  const device = directory.device(input.device);
  if (input.device && !device) throw new WorkOrderError(`unknown device "${input.device}"`);
  const team = input.team ?? directory.teamFor(input.device) ?? config.notify.teams[0]?.id;
  if (!team) throw new WorkOrderError('say which team: no teams are configured in notify.yaml');
  directory.knownTeam(team);
  if (!input.title) throw new WorkOrderError('a work order needs a title');
  return workOrders.create(
    {
      title: input.title,
      source: input.source ?? 'hotline',
      priority: input.priority ?? 'medium',
      team,
      site: device?.site ?? config.gateway.gateway.site ?? config.sites[0]?.id ?? 'main',
      ...(device ? { device: device.id, building: device.building, room: device.room } : {}),
      ...(input.description ? { description: input.description } : {}),
      ...(input.reporter ? { reporter: input.reporter } : {}),
    },
    user,
  );
}

function fromAlarm(
  parts: WorkOrderDeskParts,
  alarmId: string,
  input: NewOrderInput,
  user: string,
): WorkOrder {
  const { config, alarms, workOrders, directory } = parts;
  const alarm = alarms.get(alarmId);
  if (!alarm) throw new WorkOrderError(`no alarm "${alarmId}"`);
  const team = input.team ?? directory.teamFor(alarm.device) ?? config.notify.teams[0]?.id ?? 'unassigned';
  return workOrders.create(
    {
      title: input.title ?? alarm.message,
      source: 'alarm',
      alarmId,
      priority: input.priority ?? alarm.priority,
      team,
      site: alarm.site,
      building: alarm.building,
      room: alarm.room,
      ...(alarm.device ? { device: alarm.device } : {}),
      ...(input.description ? { description: input.description } : {}),
    },
    user,
  );
}
