/**
 * The monthly report in Chinese: its fixed texts translated where the HTML is already made,
 * so src/reports/monthly.ts stays the one place that lays the report out. Terms follow the
 * energy pages' (dashboards/app/i18n/energy.ts). Names from the configuration, figures and
 * a text not listed here stay as they are: an untranslated line, never a lost one.
 */
import type { PlantConfig } from '../config/index.js';
import { escapeHtml } from './html.js';

/** Whole texts (a heading, a column head, a cell, a sentence). */
const EXACT: Record<string, string> = {
  'Electricity by building (kWh, main meters)': '各楼栋用电量（kWh，总表）',
  'Water by building (m³, main meters)': '各楼栋用水量（m³，总表）',
  Intensity: '能耗强度',
  'Peak demand (15-minute mean)': '最大需量（15 分钟平均）',
  'Night flow (leaks)': '夜间流量（漏水）',
  'Retrofit savings': '节能改造',
  building: '楼栋',
  'month before': '上月',
  change: '变化',
  notes: '备注',
  'kWh/bed': 'kWh/床',
  'm³/bed': 'm³/床',
  incomer: '进线',
  'peak kW': '峰值 kW',
  at: '发生时间',
  'mean kW': '平均 kW',
  'load factor': '负荷率',
  room: '机房',
  'rated kVA': '额定 kVA',
  'peak kVA': '峰值 kVA',
  utilisation: '负载率',
  'headroom kVA': '裕度 kVA',
  meter: '水表',
  'threshold m³/h': '阈值 m³/h',
  'last night m³/h': '昨夜最小流量 m³/h',
  'wet nights in a row': '连续超阈值夜数',
  retrofit: '改造项目',
  'baseline/day': '基准期日均',
  'now/day': '报告期日均',
  savings: '节能量',
  'savings %': '节能率',
  uncertainty: '不确定度',
  meets: '符合',
  'does not meet': '不符合',
  'no data': '无数据',
  'peak share': '峰时占比',
  'max demand kW': '最大需量 kW',
  'capacity kVA': '变压器容量 kVA',
  'kg CO₂e': '碳排放 kg CO₂e',
  'Tariffs and emission factors used': '所用电价、水价与排放因子',
  Tariffs: '电价与水价',
  'Emission factors': '排放因子',
  'none: not costed': '无：未计费',
  'No meter has had a wet night run long enough to suspect a leak.':
    '未发现疑似漏水：没有水表连续多晚超过阈值。',
  'No retrofit is being verified.': '没有正在验证的节能改造。',
  'Guideline 14': 'ASHRAE 指南 14',
  'meets ASHRAE Guideline 14': '符合 ASHRAE 指南 14',
  'Consumption is the sum of main meters; gaps in the readings are reported, not filled; "no data" is a period without readings, not 0 (an empty cell in the CSV). The CSV files attached hold every table by day.':
    '用量为各总表之和；读数中断如实列出，不作填补；“无数据”指该时段无读数，并非 0（CSV 中为空单元格）。附件 CSV 文件含各表的逐日数据。',
};

const BANDS: Record<string, string> = { 'sharp peak': '尖峰', peak: '峰', flat: '平', valley: '谷' };

/** Texts with figures or names in them; a render may translate a part in turn. */
const PATTERNS: [RegExp, (...groups: string[]) => string][] = [
  [
    /^Plantwatch energy report (\S+)( \(so far\))? — (.*)$/s,
    (month, sofar, site) => `Plantwatch 能源月报 ${month}${sofar ? '（截至目前）' : ''} — ${site}`,
  ],
  [/^(.*) \(so far\)$/s, (span) => `${span}（截至目前）`],
  [/^Leak suspected: (.*)$/s, (meters) => `疑似漏水：${meters}`],
  [/^(\d+) gap\(s\)$/, (n) => `读数中断 ${n} 处`],
  [/^month before: (.*)$/s, (note) => `上月：${toChinese(note)}`],
  // The cost section (src/reports/monthly-cost.ts).
  [/^Electricity cost by building \((.*), main meters\)$/, (currency) => `各楼栋电费（${currency}，总表）`],
  [/^Water cost by building \((.*), main meters\)$/, (currency) => `各楼栋水费（${currency}，总表）`],
  [/^(sharp peak|peak|flat|valley) (\S+)$/, (band, unit) => `${BANDS[band]} ${unit}`],
  [/^energy cost \((.*)\)$/, (currency) => `电度电费（${currency}）`],
  [/^demand charge \((.*)\)$/, (currency) => `需量电费（${currency}）`],
  [/^capacity charge \((.*)\)$/, (currency) => `容量电费（${currency}）`],
  [/^cost \((.*)\)$/, (currency) => `费用（${currency}）`],
  [/^(.*) \(high\)$/, (share) => `${share}（偏高）`],
  [/^(\d+) h without readings, not costed$/, (hours) => `${hours} 小时无读数，未计费`],
  [/^(.*) before the first tariff, not costed$/, (amount) => `首个电价生效前的 ${amount}，未计费`],
  [
    /^Peak share: the kWh used in peak and sharp-peak periods; from (.*) \(high\) moving load to flat or valley hours is worth a look\.$/s,
    (threshold) =>
      `峰时占比：峰段和尖峰段用电量所占比例；达到 ${threshold}（偏高）时，宜考虑把负荷移到平段或谷段。`,
  ],
  [/^Load-shift hint: (.*)\.$/s, (buildings) => `移峰建议：${buildings}。`],
  // The tariffs and emission factors used; their sources are the configuration's words.
  [
    /^Electricity: time-of-use from (\S+), (\S+) per kWh: (.*)$/s,
    (from, currency, prices) =>
      `电：分时电价，自 ${from} 起，${currency}/kWh：${prices
        .replace(/\b(sharp peak|peak|flat|valley) (?=[\d.])/g, (band) => `${BANDS[band.trim()]} `)
        .replace(
          /; demand charge (\S+) (\S+) per kW of the month’s maximum demand/,
          '；需量电费 $1 $2/kW（按当月最大需量）',
        )
        .replace(
          /; capacity charge (\S+) (\S+) per kVA of installed transformer capacity/,
          '；容量电费 $1 $2/kVA（按变压器容量）',
        )}`,
  ],
  [
    /^Water: (\S+) (\S+) per m³ from (\S+)(.*)$/s,
    (price, currency, from, source) => `水：${price} ${currency}/m³，自 ${from} 起${source}`,
  ],
  [
    /^(Electricity|Water): (\S+) kg CO₂e per (kWh|m³) from (\S+)(.*)$/s,
    (commodity, factor, unit, from, source) =>
      `${commodity === 'Electricity' ? '电' : '水'}：${factor} kg CO₂e/${unit}，自 ${from} 起${source}`,
  ],
];

/**
 * One text in Chinese. A cell of several notes ("2 gap(s); month before: 1 gap(s)") is put
 * note by note, when every note has its Chinese; otherwise the text stays whole.
 */
export function toChinese(text: string): string {
  const exact = EXACT[text];
  if (exact !== undefined) return exact;
  for (const [pattern, render] of PATTERNS) {
    const match = pattern.exec(text);
    if (match) return render(...match.slice(1).map((g) => g ?? ''));
  }
  const notes = text.split('; ');
  if (notes.length < 2) return text;
  const put = notes.map(toChinese);
  return put.every((note, i) => note !== notes[i]) ? put.join('；') : text;
}

const unescapeHtml = (text: string) =>
  text.replace(
    /&(lt|gt|amp|quot|#39);/g,
    (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[name] as string,
  );

/**
 * The configuration's names in Chinese, by their English name (and a device by its id, which
 * some tables show): sites, buildings, rooms, devices and retrofits that have a Chinese name.
 */
export function chineseNames(
  config: Pick<PlantConfig, 'sites' | 'devices' | 'energy'>,
): Record<string, string> {
  const names: Record<string, string> = {};
  const add = (named: { name: string; nameZh?: string }, id?: string) => {
    if (!named.nameZh) return;
    names[named.name] = named.nameZh;
    if (id) names[id] = named.nameZh;
  };
  for (const site of config.sites) {
    add(site);
    for (const building of site.buildings) {
      add(building);
      for (const room of building.rooms) add(room);
    }
  }
  for (const device of config.devices) add(device, device.id);
  const { tariffs, carbon } = config.energy;
  for (const dated of [...tariffs.electricity, ...tariffs.water, ...carbon.electricity, ...carbon.water])
    if (dated.source && dated.sourceZh) names[dated.source] = dated.sourceZh;
  for (const retrofit of config.energy.retrofits) {
    add(retrofit);
    if (retrofit.description && retrofit.descriptionZh) names[retrofit.description] = retrofit.descriptionZh;
  }
  return names;
}

/** A text with the configured names in it put in Chinese: the whole text, or each name in it. */
function withNames(
  text: string,
  names: Readonly<Record<string, string>>,
  longestFirst: readonly string[],
): string {
  const whole = names[text];
  if (whole !== undefined) return whole;
  let out = text;
  // Ids are only ever a whole cell; names of a few letters could be part of a word.
  for (const name of longestFirst)
    if (name.includes(' ') && out.includes(name)) out = out.replaceAll(name, names[name] as string);
  return out;
}

/** One text of the report (its subject) in Chinese, the configured names in it too. */
export function textInChinese(text: string, names: Readonly<Record<string, string>>): string {
  return withNames(
    toChinese(text),
    names,
    Object.keys(names).sort((a, b) => b.length - a.length),
  );
}

/**
 * The report's page with its texts in Chinese. The page is the report's own (escaped text
 * between tags, no script), so each run of text between two tags is one text; styles are left.
 * `names`: the configuration's names in Chinese (chineseNames), put in wherever they appear.
 */
export function reportInChinese(html: string, names: Readonly<Record<string, string>> = {}): string {
  const longestFirst = Object.keys(names).sort((a, b) => b.length - a.length);
  return html
    .replace(/<html>/, '<html lang="zh-CN">')
    .replace(
      /(<style[^>]*>[\s\S]*?<\/style>)|>([^<]+)</g,
      (whole, style: string | undefined, text: string) => {
        if (style !== undefined) return whole;
        const trimmed = text.trim();
        if (trimmed === '') return whole;
        const translated = withNames(toChinese(unescapeHtml(trimmed)), names, longestFirst);
        return `>${text.replace(trimmed, () => escapeHtml(translated))}<`;
      },
    );
}
