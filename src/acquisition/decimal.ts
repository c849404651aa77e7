/**
 * Readings as the decimals a device meant, not binary noise: a float32 register holding 229.8
 * reads 229.8 (not 229.8000030517578), and raw 503 × scale 0.1 + offset -40 reads 10.3 (not
 * 10.300000000000004). On the Modbus hot path: no allocation, no closure, no Math.log10 (slower
 * than the rest together).
 */

/** Powers of ten a double holds exactly (10^22 is the last): dividing by them rounds once. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
/** The doubles nearest 10^-n, to tell a value's decimal exponent by comparison. */
const NEG_POW10 = [
  1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16,
  1e-17, 1e-18, 1e-19, 1e-20, 1e-21, 1e-22,
];
const MAX_EXP = POW10.length - 1;
/** Integers below this are exact in a double, and so are sums and products that stay below it. */
const EXACT = 2 ** 53;
/**
 * Float32 magnitudes shortened: from 1e-13 to below 1e22, far beyond any plant value. Within
 * them every candidate is an integer times an exact power of ten, rounded once, without a
 * string; beyond them (and subnormals) the float32 is kept as it is.
 */
const MIN_EXPONENT = -13;
const MAX_EXPONENT = 21;

/** `x` rounded to `digits` significant digits, `exponent` its decimal exponent; half away from zero. */
function roundSignificant(x: number, digits: number, exponent: number): number {
  const k = digits - 1 - exponent; // decimal places kept (negative: tens, hundreds...)
  const a = Math.abs(x);
  const r =
    k >= 0
      ? Math.round(a * (POW10[k] as number)) / (POW10[k] as number)
      : Math.round(a / (POW10[-k] as number)) * (POW10[-k] as number);
  return x < 0 ? -r : r;
}

/**
 * The shortest decimal that is the same float32 as `f` (a float32 widened to a double), given
 * the float32's unbiased binary exponent (bits 23..30 minus 127). Starts at 6 significant
 * digits: a shorter decimal that is this float32 rounds to itself at 6; 9 always suffice.
 */
export function shortestFloat32(f: number, binaryExponent: number): number {
  if (f === 0 || !Number.isFinite(f)) return f;
  // floor(e2 × log10 2) is the decimal exponent or one less (1233 / 4096 ≈ log10 2): no Math.log10.
  const below = (binaryExponent * 1233) >> 12;
  if (below < MIN_EXPONENT - 1 || below > MAX_EXPONENT) return f;
  const a = Math.abs(f);
  const exponent =
    a >= ((below >= -1 ? POW10[below + 1] : NEG_POW10[-below - 1]) as number) ? below + 1 : below;
  if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) return f;
  for (let digits = 6; digits <= 9; digits++) {
    const candidate = roundSignificant(f, digits, exponent);
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/**
 * The integer n with n / 10^places === x, if one below 2^53 exists; else NaN. x × 10^places is
 * itself rounded (-256.0000042461767 × 1e13 comes out at …766.5), so the integer that stands
 * for x may lie a step either side of the rounded product: both neighbours are tried.
 */
function decimalDigits(x: number, places: number): number {
  const power = POW10[places] as number;
  const near = Math.round(x * power);
  if (!(Math.abs(near) < EXACT)) return Number.NaN; // also NaN and ±Infinity
  if (near / power === x) return near;
  if ((near - 1) / power === x) return near - 1;
  if ((near + 1) / power === x) return near + 1;
  return Number.NaN;
}

/** Decimal places of `x`'s shortest decimal form; -1 when x × 10^places is not an exact integer. */
export function decimalsOf(x: number): number {
  if (Number.isInteger(x)) return Math.abs(x) < EXACT ? 0 : -1;
  for (let d = 1; d <= MAX_EXP; d++) {
    if (!(Math.abs(Math.round(x * (POW10[d] as number))) < EXACT)) return -1; // also NaN, ±Infinity
    const n = decimalDigits(x, d);
    if (!Number.isNaN(n) && n !== 0) return d; // 0: no digit yet
  }
  return -1;
}

/**
 * raw × scale + offset computed on the decimals they stand for (`rawDecimals`: decimalsOf(raw),
 * 0 for an integer), so that the result is the double nearest the exact decimal. When those do
 * not fit a double's integers (17-digit noise, huge magnitudes): the plain arithmetic.
 */
export function scaleDecimal(raw: number, rawDecimals: number, scale: number, offset: number): number {
  const dScale = decimalsOf(scale);
  const dOffset = offset === 0 ? 0 : decimalsOf(offset);
  const dProduct = rawDecimals + dScale;
  const d = Math.max(dProduct, dOffset);
  if (rawDecimals < 0 || dScale < 0 || dOffset < 0 || d > MAX_EXP) return raw * scale + offset;
  const digits = rawDecimals === 0 ? raw : decimalDigits(raw, rawDecimals);
  const product = digits * decimalDigits(scale, dScale) * (POW10[d - dProduct] as number);
  const shift = offset === 0 ? 0 : decimalDigits(offset, dOffset) * (POW10[d - dOffset] as number);
  const sum = product + shift;
  // Every term and the sum below 2^53: all exact, and the one division rounds once.
  if (!(Math.abs(product) < EXACT && Math.abs(shift) < EXACT && Math.abs(sum) < EXACT))
    return raw * scale + offset;
  return sum / (POW10[d] as number);
}
