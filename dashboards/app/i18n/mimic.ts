// Texts of the plant mimics (English / 简体中文), merged into the one table in ../i18n.

export const MIMIC_TEXT: Record<string, [en: string, zh: string]> = {
  'mimic.cwSupply': ['Condenser water to chillers', '冷却水供水'],
  'mimic.cwReturn': ['Condenser water to towers', '冷却水回水'],
  'mimic.chwSupply': ['Chilled water supply', '冷冻水供水'],
  'mimic.chwReturn': ['Chilled water return', '冷冻水回水'],
  'mimic.toBuilding': ['to the building →', '去往楼宇 →'],
  'mimic.fromBuilding': ['← from the building', '← 来自楼宇'],
  'mimic.fromTank': ['from the break tank', '来自水箱'],
  'mimic.suction': ['Suction', '吸水管'],
  'mimic.outletPressure': ['Outlet pressure', '出口压力'],
  'mimic.setpoint': ['setpoint', '设定值'],
  'mimic.transformer': ['Transformer', '变压器'],
  'mimic.load': ['Load {load}', '负荷 {load}'],
  'mimic.headroom': [
    'Load {load} of {rated} · headroom {free} ({pct} %)',
    '负荷 {load} / 额定 {rated} · 余量 {free}（{pct}%）',
  ],
  'mimic.loading': ['{pct} % of {rating}', '负载率 {pct}%（额定 {rating}）'],
  'mimic.manifold': ['Manifold', '汇流排'],
  'mimic.lowPressure': ['LOW PRESSURE', '压力低'],
  'mimic.toWards': ['to the wards', '去往病区'],
  'mimic.siteFlow': ['Total flow', '总流量'],
  'mimic.unmetered': ['unmetered', '未计量'],
  'mimic.fallback': [
    'The gateway sent no mimic for this room: drawn from its devices alone.',
    '网关未提供该机房的模拟图：仅按设备绘制。',
  ],
};
