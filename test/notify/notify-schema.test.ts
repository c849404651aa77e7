import { describe, expect, it } from 'vitest';
import { formatPath } from '../../src/config/load.js';
import { NOTIFY_DISABLED, notificationsEnabled, notifyFile } from '../../src/config/notify-schema.js';
import { rawNotify } from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests poke at parsed YAML
type Raw = Record<string, any>;

/** Every problem as "key.path: message", the way the loader reports it (without file and line). */
function problems(change: (raw: Raw) => void): string[] {
  const raw = rawNotify() as Raw;
  change(raw);
  const result = notifyFile.safeParse(raw);
  return result.success ? [] : result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

describe('config/notify.yaml', () => {
  it('the demo-like file parses, durations in ms', () => {
    const settings = notifyFile.parse(rawNotify());
    expect(settings.routing.critical.escalate).toEqual([
      { after: 300_000, to: 'shift-lead' },
      { after: 900_000, to: 'department-head' },
    ]);
    expect(settings.routing.low).toMatchObject({ digest: 3_600_000, channels: ['email'] });
    expect(settings.flood).toEqual({ count: 10, window: 600_000, flush: 30_000 });
    expect(settings.channels.email).toMatchObject({ port: 2525, secure: false });
    expect(settings.channels.webhooks[0]).toMatchObject({ id: 'electricians-group', format: 'wecom' });
    expect(notificationsEnabled(settings)).toBe(true);
  });

  it('without the file nothing is sent', () => {
    expect(notificationsEnabled(NOTIFY_DISABLED)).toBe(false);
    expect(NOTIFY_DISABLED.teams).toEqual([]);
    expect(NOTIFY_DISABLED.people).toEqual([]);
  });

  // [what is wrong, change to the demo file, expected "path: message" (a part of it)]
  const cases: [string, (raw: Raw) => void, string][] = [
    [
      'unknown team webhook',
      (r) => {
        r.teams[0].webhook = 'electrician-group';
      },
      'teams[0].webhook: unknown webhook "electrician-group"',
    ],
    [
      'unknown person in a list',
      (r) => {
        r.teams[0].day = ['wang-wie'];
      },
      'teams[0].day[0]: unknown person "wang-wie"',
    ],
    [
      'unknown person in a weekday rota',
      (r) => {
        r.teams[0].night[1].people = ['zhao-lie'];
      },
      'teams[0].night[1].people[0]: unknown person "zhao-lie"',
    ],
    [
      'a single name instead of a list',
      (r) => {
        r.teams[0].night = 'li-na';
      },
      'teams[0].night: a list of person ids, or a weekday rota',
    ],
    [
      'a typo inside a weekday rota',
      (r) => {
        r.teams[0].night[0].peple = r.teams[0].night[0].people;
        delete r.teams[0].night[0].people;
      },
      'teams[0].night[0]: Unrecognized key: "peple"',
    ],
    [
      'a weekday nobody covers',
      (r) => {
        r.teams[0].night[0].days = ['mon', 'wed', 'fri'];
      },
      'teams[0].night: nobody on duty on sun',
    ],
    [
      'a weekday twice',
      (r) => {
        r.teams[0].night[1].days = ['tue', 'thu', 'sat', 'mon'];
      },
      'teams[0].night[1].days[3]: mon is already in entry 1',
    ],
    [
      'no night rota',
      (r) => {
        delete r.teams[0].night;
      },
      'teams[0]: needs `always`, or both `day` and `night`',
    ],
    [
      'unknown escalation level',
      (r) => {
        r.routing.critical.escalate[0].to = 'shift-leader';
      },
      'routing.critical.escalate[0].to: unknown escalation level "shift-leader"',
    ],
    [
      'unknown person in a level',
      (r) => {
        r.levels['department-head'].always = ['liu-fan'];
      },
      'levels.department-head.always[0]: unknown person "liu-fan"',
    ],
    [
      'escalation steps out of order',
      (r) => {
        r.routing.high.escalate[1].after = '10m';
      },
      'routing.high.escalate[1].after: escalation steps must come later',
    ],
    [
      'equipment class in two teams',
      (r) => {
        r.teams[1].equipment.push('power-meter');
      },
      'teams[1].equipment[3]: "power-meter" is already answered for by team electricians',
    ],
    [
      'unknown equipment class',
      (r) => {
        r.teams[1].equipment[0] = 'chillers';
      },
      'teams[1].equipment[0]: unknown equipment class "chillers"',
    ],
    [
      'impossible holiday',
      (r) => {
        r.holidays[1] = '2026-02-30';
      },
      'holidays[1]: not a calendar date',
    ],
    [
      'holiday not ISO',
      (r) => {
        r.holidays[0] = '2026/10/01';
      },
      'holidays[0]: a date "YYYY-MM-DD"',
    ],
    [
      'shift time without a leading zero',
      (r) => {
        r.shifts.day.start = '8:00';
      },
      'shifts.day.start: a local time "HH:MM"',
    ],
    [
      'day shift ending before it starts',
      (r) => {
        r.shifts.day = { start: '20:00', end: '08:00' };
      },
      'shifts.day.end: the day shift must end after it starts',
    ],
    [
      'unknown time zone',
      (r) => {
        r.timezone = 'Asia/Beijing';
      },
      'timezone: an IANA time zone',
    ],
    [
      'channel not configured',
      (r) => {
        delete r.channels.mqtt;
      },
      'routing.critical.channels[2]: mqtt is listed but not configured',
    ],
    [
      'priority without routing',
      (r) => {
        delete r.routing.low;
      },
      'routing.low: say how low alarms are announced',
    ],
    [
      'person twice',
      (r) => {
        r.people.push({ id: 'li-na', name: 'Another Li Na' });
      },
      'people[7].id: person "li-na" is defined twice',
    ],
    [
      'webhook named like a channel',
      (r) => {
        r.channels.webhooks[1].id = 'mqtt';
        r.teams[1].webhook = 'mqtt';
      },
      'channels.webhooks[1].id: "mqtt" is reserved',
    ],
    [
      'bad e-mail address',
      (r) => {
        r.people[0].email = 'wang.wei';
      },
      'people[0].email: an e-mail address',
    ],
    [
      'bad duration',
      (r) => {
        r.flood.window = '10 minutes';
      },
      'flood.window: a duration such as',
    ],
  ];
  it.each(cases)('%s', (_what, change, expected) => {
    const found = problems(change);
    expect(
      found.some((p) => p.startsWith(expected)),
      `got:\n${found.join('\n')}`,
    ).toBe(true);
  });

  it('an unknown key is an error', () => {
    expect(
      problems((r) => {
        r.teams[0].nights = r.teams[0].night;
      }),
    ).toContain('teams[0]: Unrecognized key: "nights"');
  });

  it('reports every reference problem at once', () => {
    const found = problems((r) => {
      r.teams[0].webhook = 'nope';
      r.teams[1].always = ['nobody'];
      r.routing.high.escalate[0].to = 'boss';
    });
    expect(found).toHaveLength(3);
  });
});
