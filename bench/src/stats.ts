/**
 * Small numeric helpers of the benchmark.
 */

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** This process's peak resident set so far, in KiB (getrusage's ru_maxrss, as for the commands). */
export function peakRssKb(): number {
  return process.resourceUsage().maxRSS;
}
