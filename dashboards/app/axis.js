// A chart's value axis whose labels are never cut. uPlot's default axis is 50 px wide, so a
// seven-digit counter was labelled "6,400" for 4,966,400 kWh: here numbers are grouped in full
// below a million, with an SI prefix above it (4.97M), all ticks of an axis with the same
// prefix and decimals, and the axis as wide as its widest label.

/** Digits after the point that the step between ticks needs (0.25 → 2; 2000 → 0). @param {number} step */
function decimalsOf(step) {
  const text = String(Number(step.toPrecision(6)));
  const point = text.indexOf('.');
  return point < 0 || text.includes('e') ? 0 : Math.min(6, text.length - point - 1);
}

/**
 * Labels for one axis's ticks.
 * @param {(number | null)[]} splits
 * @returns {string[]}
 */
export function tickLabels(splits) {
  const values = splits.filter((v) => v !== null && Number.isFinite(v)).map(Number);
  const max = Math.max(0, ...values.map(Math.abs));
  const [divisor, prefix] = max >= 1e9 ? [1e9, 'G'] : max >= 1e6 ? [1e6, 'M'] : [1, ''];
  const step = values.length > 1 ? Math.abs((values[1] ?? 0) - (values[0] ?? 0)) / divisor : 0;
  const digits = step > 0 ? decimalsOf(step) : 0;
  const format = new Intl.NumberFormat(undefined, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return splits.map((v) =>
    v === null || !Number.isFinite(v) ? '' : `${format.format(v / divisor)}${prefix}`,
  );
}

/**
 * The axis's width from its widest label (uPlot's axis auto-size recipe; `cycleNum` guards
 * against the re-layout loop uPlot runs when a size changes).
 * @param {any} u uPlot instance
 * @param {string[] | null} values
 * @param {number} axisIdx
 * @param {number} cycleNum
 */
function fittedSize(u, values, axisIdx, cycleNum) {
  const axis = u.axes[axisIdx];
  if (cycleNum > 1) return axis._size;
  const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
  u.ctx.font = axis.font[0];
  return Math.ceil(axis.ticks.size + axis.gap + u.ctx.measureText(longest).width / devicePixelRatio);
}

/**
 * A value (y) axis: `base` is the page's axis style, `label` its unit.
 * @param {object} [base]
 * @param {string} [label]
 */
export function valueAxis(base = {}, label) {
  return {
    ...base,
    ...(label ? { label } : {}),
    values: (/** @type {any} */ _u, /** @type {(number | null)[]} */ splits) => tickLabels(splits),
    size: fittedSize,
  };
}
