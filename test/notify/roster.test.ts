import { describe, expect, it } from 'vitest';
import { DutyRoster } from '../../src/notify/roster.js';
import { demoSettings } from './fixtures.js';

const shanghai = new DutyRoster(demoSettings());
const london = new DutyRoster(demoSettings((raw) => Object.assign(raw, { timezone: 'Europe/London' })));
const names = (people: { id: string }[]) => people.map((p) => p.id);

describe('who is on duty (Asia/Shanghai, day 08:00–20:00)', () => {
  // [local time, shift, duty date, weekday, electricians on duty]
  const cases: [string, string, string, string, string[]][] = [
    ['2026-09-28T08:00+08:00', 'day', '2026-09-28', 'mon', ['wang-wei']],
    ['2026-09-28T19:59+08:00', 'day', '2026-09-28', 'mon', ['wang-wei']],
    ['2026-09-28T07:59+08:00', 'night', '2026-09-27', 'sun', ['li-na']],
    ['2026-09-28T20:00+08:00', 'night', '2026-09-28', 'mon', ['li-na']],
    // Monday's night goes on past midnight: still Monday's rota, not Tuesday's.
    ['2026-09-29T00:30+08:00', 'night', '2026-09-28', 'mon', ['li-na']],
    ['2026-09-29T07:59+08:00', 'night', '2026-09-28', 'mon', ['li-na']],
    ['2026-09-29T20:00+08:00', 'night', '2026-09-29', 'tue', ['zhao-lei']],
    ['2026-09-30T23:00+08:00', 'night', '2026-09-30', 'wed', ['li-na']],
    // 03:00 on the holiday is still the night of the 30th, an ordinary Wednesday night.
    ['2026-10-01T03:00+08:00', 'night', '2026-09-30', 'wed', ['li-na']],
    ['2026-10-01T08:00+08:00', 'holiday', '2026-10-01', 'thu', ['zhang-min']],
    ['2026-10-02T02:00+08:00', 'holiday', '2026-10-01', 'thu', ['zhang-min']],
    ['2026-10-03T07:59+08:00', 'holiday', '2026-10-02', 'fri', ['zhang-min']],
    ['2026-10-03T08:00+08:00', 'day', '2026-10-03', 'sat', ['wang-wei']],
    ['2026-10-03T20:00+08:00', 'night', '2026-10-03', 'sat', ['zhao-lei']],
  ];
  it.each(cases)('%s is %s of %s (%s): %j', (time, shift, dutyDate, weekday, people) => {
    const at = Date.parse(time);
    expect(shanghai.shiftAt(at)).toMatchObject({ shift, dutyDate, weekday });
    expect(names(shanghai.onDuty('electricians', at))).toEqual(people);
  });

  it('escalation levels follow their own rota', () => {
    const holidayNight = Date.parse('2026-10-02T02:00+08:00');
    expect(names(shanghai.level('shift-lead', holidayNight))).toEqual(['chen-gang']);
    expect(names(shanghai.level('department-head', holidayNight))).toEqual(['liu-fang']);
    expect(names(shanghai.level('no-such-level', holidayNight))).toEqual([]);
  });

  it('a team with `always` is on duty every shift, holidays included', () => {
    for (const time of ['2026-09-28T03:00+08:00', '2026-09-28T12:00+08:00', '2026-10-01T12:00+08:00']) {
      expect(names(shanghai.onDuty('hvac', Date.parse(time)))).toEqual(['sun-hao']);
    }
  });

  it('people come with their name, e-mail address and language', () => {
    expect(shanghai.onDuty('electricians', Date.parse('2026-09-28T12:00+08:00'))).toEqual([
      { id: 'wang-wei', name: 'Wang Wei 王伟', email: 'wang.wei@hospital.example', lang: 'zh' },
    ]);
  });
});

describe('shifts by the wall clock across daylight saving (Europe/London)', () => {
  // [UTC instant, local wall time, shift, duty date]
  const cases: [string, string, string, string][] = [
    // 29 March 2026: 01:00 GMT becomes 02:00 BST.
    ['2026-03-29T00:30Z', '00:30 GMT', 'night', '2026-03-28'],
    ['2026-03-29T01:30Z', '02:30 BST', 'night', '2026-03-28'],
    ['2026-03-29T06:59Z', '07:59 BST', 'night', '2026-03-28'],
    ['2026-03-29T07:00Z', '08:00 BST', 'day', '2026-03-29'],
    ['2026-03-29T18:59Z', '19:59 BST', 'day', '2026-03-29'],
    ['2026-03-29T19:00Z', '20:00 BST', 'night', '2026-03-29'],
    // 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice.
    ['2026-10-25T00:30Z', '01:30 BST', 'night', '2026-10-24'],
    ['2026-10-25T01:30Z', '01:30 GMT', 'night', '2026-10-24'],
    ['2026-10-25T07:59Z', '07:59 GMT', 'night', '2026-10-24'],
    ['2026-10-25T08:00Z', '08:00 GMT', 'day', '2026-10-25'],
  ];
  it.each(cases)('%s (%s) is %s of %s', (time, _local, shift, dutyDate) => {
    expect(london.shiftAt(Date.parse(time))).toMatchObject({ shift, dutyDate });
  });
});

describe('which team answers for an equipment class', () => {
  it.each([
    ['power-meter', 'electricians', false],
    ['oxygen-station', 'electricians', false],
    ['chiller', 'hvac', false],
    ['water-meter', 'hvac', false],
    // Nobody lists "other": the first team of the file stands in.
    ['other', 'electricians', true],
  ])('%s → %s (fallback: %s)', (equipment, team, fallback) => {
    expect(shanghai.teamFor(equipment)).toMatchObject({ id: team, fallback });
  });

  it('gives the team chat group', () => {
    expect(shanghai.teamFor('chiller')?.webhook).toBe('hvac-group');
  });

  it('without teams, nobody', () => {
    const empty = new DutyRoster(demoSettings((raw) => Object.assign(raw, { teams: [] })));
    expect(empty.teamFor('chiller')).toBeUndefined();
    expect(empty.onDuty('electricians', Date.now())).toEqual([]);
  });
});

describe('shift windows (what a shift log or a handover covers)', () => {
  const roster = new DutyRoster(
    demoSettings((raw) => {
      raw.timezone = 'Asia/Shanghai';
      raw.shifts = { day: { start: '08:00', end: '20:00' } };
      raw.holidays = ['2026-10-01'];
    }),
  );
  const local = (iso: string) => Date.parse(`${iso}+08:00`);

  it('gives a day shift from its start to its end, local time', () => {
    expect(roster.shiftWindow('2026-11-25', 'day')).toMatchObject({
      shift: 'day',
      dutyDate: '2026-11-25',
      from: local('2026-11-25T08:00:00'),
      to: local('2026-11-25T20:00:00'),
    });
  });

  it('gives the night shift of a date running into the next morning, and finds it from 03:00', () => {
    const night = roster.shiftOf(local('2026-11-26T03:00:00'));
    expect(night).toMatchObject({ shift: 'night', dutyDate: '2026-11-25' });
    expect([night.from, night.to]).toEqual([local('2026-11-25T20:00:00'), local('2026-11-26T08:00:00')]);
  });

  it('marks the shifts of a holiday as holiday shifts', () => {
    expect(roster.shiftWindow('2026-10-01', 'night').shift).toBe('holiday');
  });
});
