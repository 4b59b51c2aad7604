/**
 * The duration histograms' buckets, as `run_duration_bucket` (drizzle/0018) computes them: 0 below
 * 10 ms; then four per doubling, bucket b covering [10 ms·2^((b-1)/4), 10 ms·2^(b/4)); the last,
 * `OPEN_BUCKET`, everything from 10 ms·2^(95/4) ≈ 39 h up.
 */
export const OPEN_BUCKET = 96;
const FIRST_EDGE_SECONDS = 0.01;
const BUCKETS_PER_DOUBLING = 4;

/** The upper edge of a bucket in seconds (the open bucket's lower edge): what a percentile shows. */
export function bucketUpperEdge(bucket: number): number {
  const edge = Math.min(bucket, OPEN_BUCKET - 1);
  return FIRST_EDGE_SECONDS * 2 ** (edge / BUCKETS_PER_DOUBLING);
}

/**
 * Nearest-rank percentile `p` of a histogram, as `percentile_disc` ranks (the ⌈p·n⌉-th smallest
 * duration), answered as its bucket's upper edge: the true value v has v < answer ≤ 1.19·v (under
 * 10 ms: answer 10 ms; in the open bucket: answer ≤ v). Null for an empty histogram.
 */
export function histogramPercentile(counts: Map<number, number>, p: number): number | null {
  const total = [...counts.values()].reduce((sum, runs) => sum + runs, 0);
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket) ?? 0;
    if (seen >= rank) return bucketUpperEdge(bucket);
  }
  return null;
}
