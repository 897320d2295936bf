/** Number formats shared by the terminal tables, the HTML report and the README. */

/** Milliseconds, with a precision that suits the size. */
export function ms(value: number | undefined): string {
  if (value === undefined) return '—';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** A min–max range of milliseconds. */
export function range(minMs: number | undefined, maxMs: number | undefined): string {
  if (minMs === undefined || maxMs === undefined) return '—';
  return `${ms(minMs)} – ${ms(maxMs)}`;
}

/** A ratio: two decimals, or two significant digits below 0.1 (0.042×). */
export function ratio(value: number | undefined): string {
  if (value === undefined) return '—';
  return `${Math.abs(value) < 0.1 && value !== 0 ? value.toPrecision(2) : value.toFixed(2)}×`;
}

/** Nanoseconds or microseconds per item. */
export function perItem(ns: number | undefined): string {
  if (ns === undefined) return '—';
  if (Math.abs(ns) >= 100_000) return `${(ns / 1e6).toFixed(2)} ms`;
  if (Math.abs(ns) >= 10_000) return `${(ns / 1000).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** A median's interval: '23.9 – 24.8 ms (95%)'. */
export function interval(ci: { low: number; high: number; confidence: number } | undefined): string {
  return ci ? `${range(ci.low, ci.high)} (${Math.floor(ci.confidence * 100)}%)` : '—';
}
