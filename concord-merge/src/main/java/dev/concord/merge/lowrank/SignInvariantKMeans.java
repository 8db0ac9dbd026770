package dev.concord.merge.lowrank;

import dev.concord.merge.ops.MaskRandom;

/**
 * Seeded k-means (Lloyd's iterations after k-means++ seeding, best of several restarts) on points given only by
 * their Gram matrix, where a point x and its negation −x count as the same point.
 *
 * <p>Why sign-invariant: a rank-one unit b·aᵀ is also (−b)·(−a)ᵀ, so its concatenated parameters [a; b] are only
 * defined up to sign, and two units that are the same update could otherwise land at opposite ends of the space
 * (and average to zero). The distance of x to a centre c is min(‖x − c‖, ‖x + c‖), i.e.
 * d² = ‖x‖² + ‖c‖² − 2·|⟨x, c⟩|, and x joins its cluster with the sign s = sign⟨x, c⟩ (+ on 0); a centre is the
 * mean of its members' s·x. Both steps lower Σ d², so the iterations converge like plain k-means.
 *
 * <p>Why the Gram matrix: a centre is a combination of points, c_j = Σ_m coef[j][m]·x_m, so every inner product
 * and norm above is a small product with G = [⟨x_m, x_m′⟩]; the points themselves (rows + cols numbers each) are
 * read once, to form G. All arithmetic is in double and in a fixed order, ties go to the lowest index, and every
 * random draw is a counter-based {@link MaskRandom} value, so the result depends on the seed only.
 */
final class SignInvariantKMeans {
    /** Restarts from different k-means++ seedings; the one with the smallest Σ d² wins (first on ties). */
    static final int RESTARTS = 10;
    static final int MAX_ITERATIONS = 100;
    /** Draws one restart may use: k-means++ takes k of them. */
    private static final long DRAWS_PER_RESTART = 1L << 32;

    /**
     * @param cluster the cluster of each point, in [0, k)
     * @param sign    ±1: the point enters its centre as sign·x
     * @param inertia Σ d² of the points to their centres
     */
    record Clustering(int[] cluster, int[] sign, int k, double inertia) {
        /** Every point its own cluster, as it is: k = n, nothing merged. */
        static Clustering identity(int n) {
            int[] c = new int[n];
            int[] s = new int[n];
            for (int m = 0; m < n; m++) {
                c[m] = m;
                s[m] = 1;
            }
            return new Clustering(c, s, n, 0);
        }
    }

    private SignInvariantKMeans() {}

    /** Clusters the n points of {@code gram} into at most k clusters (k < n); some may stay empty if points repeat. */
    static Clustering run(double[][] gram, int k, MaskRandom rng) {
        int n = gram.length;
        if (k >= n) {
            return Clustering.identity(n);
        }
        Clustering best = null;
        for (int restart = 0; restart < RESTARTS; restart++) {
            Clustering c = lloyd(gram, seed(gram, k, rng, restart * DRAWS_PER_RESTART), k);
            if (best == null || c.inertia() < best.inertia()) {
                best = c;
            }
        }
        return best;
    }

    /** k-means++: the first centre uniformly, each next one with probability ∝ d² to the nearest chosen centre. */
    private static int[] seed(double[][] g, int k, MaskRandom rng, long firstDraw) {
        int n = g.length;
        int[] centres = new int[k];
        double[] d2 = new double[n];
        centres[0] = (int) Math.min(n - 1, Math.floor(rng.uniform(firstDraw) * n));
        for (int m = 0; m < n; m++) {
            d2[m] = pointDistance(g, m, centres[0]);
        }
        for (int j = 1; j < k; j++) {
            double total = 0;
            for (int m = 0; m < n; m++) {
                total += d2[m];
            }
            int pick = -1;
            if (total > 0) {
                double target = rng.uniform(firstDraw + j) * total;
                double run = 0;
                for (int m = 0; m < n; m++) {
                    run += d2[m];
                    if (d2[m] > 0 && run > target) {
                        pick = m;
                        break;
                    }
                }
                if (pick < 0) {
                    // rounding left the target just past the last sum: take the last point still at distance
                    for (int m = n - 1; m >= 0 && pick < 0; m--) {
                        if (d2[m] > 0) {
                            pick = m;
                        }
                    }
                }
            } else {
                pick = centres[j - 1]; // every point coincides with a centre: the extra cluster stays empty
            }
            centres[j] = pick;
            for (int m = 0; m < n; m++) {
                d2[m] = Math.min(d2[m], pointDistance(g, m, pick));
            }
        }
        return centres;
    }

    /** d² between points m and q, up to sign. */
    private static double pointDistance(double[][] g, int m, int q) {
        return Math.max(0, g[m][m] + g[q][q] - 2 * Math.abs(g[m][q]));
    }

    private static Clustering lloyd(double[][] g, int[] seeds, int k) {
        int n = g.length;
        Centres centres = Centres.ofPoints(seeds);
        int[] cluster = new int[n];
        int[] sign = new int[n];
        java.util.Arrays.fill(cluster, -1);
        double[] dist = new double[n];
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            boolean changed = assign(g, centres, cluster, sign, dist);
            refillEmpty(cluster, sign, dist, k);
            if (!changed && iteration > 0) {
                break;
            }
            centres = Centres.means(cluster, sign, k);
        }
        assign(g, Centres.means(cluster, sign, k), cluster.clone(), sign.clone(), dist);
        double inertia = 0;
        for (double d : dist) {
            inertia += d;
        }
        return new Clustering(cluster, sign, k, inertia);
    }

    /**
     * Centres as sparse combinations of points: centre j = Σ_t weight[j][t]·x_{member[j][t]}; an empty centre has
     * no members and attracts no point.
     */
    private record Centres(int[][] member, double[][] weight) {
        static Centres ofPoints(int[] points) {
            int k = points.length;
            int[][] member = new int[k][];
            double[][] weight = new double[k][];
            for (int j = 0; j < k; j++) {
                member[j] = new int[] {points[j]};
                weight[j] = new double[] {1};
            }
            return new Centres(member, weight);
        }

        /** Centre j = mean of its members' sign·x. */
        static Centres means(int[] cluster, int[] sign, int k) {
            int[] size = new int[k];
            for (int c : cluster) {
                size[c]++;
            }
            int[][] member = new int[k][];
            double[][] weight = new double[k][];
            for (int j = 0; j < k; j++) {
                member[j] = new int[size[j]];
                weight[j] = new double[size[j]];
            }
            int[] fill = new int[k];
            for (int m = 0; m < cluster.length; m++) {
                int j = cluster[m];
                member[j][fill[j]] = m;
                weight[j][fill[j]] = (double) sign[m] / size[j];
                fill[j]++;
            }
            return new Centres(member, weight);
        }

        int k() {
            return member.length;
        }
    }

    /**
     * Each point to its nearest centre (and sign); returns whether any assignment or sign changed. Cost O(n²)
     * whatever k, because each point belongs to one centre.
     */
    private static boolean assign(double[][] g, Centres centres, int[] cluster, int[] sign, double[] dist) {
        int n = g.length;
        int k = centres.k();
        double[] centreNorm = new double[k];
        double[][] inner = new double[n][k];
        for (int j = 0; j < k; j++) {
            int[] mem = centres.member()[j];
            double[] w = centres.weight()[j];
            for (int m = 0; m < n; m++) {
                double s = 0;
                for (int t = 0; t < mem.length; t++) {
                    s += g[m][mem[t]] * w[t];
                }
                inner[m][j] = s;
            }
            double s = 0;
            for (int t = 0; t < mem.length; t++) {
                s += w[t] * inner[mem[t]][j];
            }
            centreNorm[j] = s;
        }
        boolean changed = false;
        for (int m = 0; m < n; m++) {
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                if (centres.member()[j].length == 0) {
                    continue;
                }
                double d = Math.max(0, g[m][m] + centreNorm[j] - 2 * Math.abs(inner[m][j]));
                if (d < bestD) {
                    bestD = d;
                    best = j;
                }
            }
            int s = inner[m][best] >= 0 ? 1 : -1;
            if (cluster[m] != best || sign[m] != s) {
                changed = true;
                cluster[m] = best;
                sign[m] = s;
            }
            dist[m] = bestD;
        }
        return changed;
    }

    /**
     * A cluster left without members takes the point farthest from its own centre among clusters that can spare
     * one (lowest index on ties), so that k clusters stay in use while the points are distinct enough.
     */
    private static void refillEmpty(int[] cluster, int[] sign, double[] dist, int k) {
        int n = cluster.length;
        int[] size = new int[k];
        for (int c : cluster) {
            size[c]++;
        }
        for (int j = 0; j < k; j++) {
            if (size[j] > 0) {
                continue;
            }
            int far = -1;
            for (int m = 0; m < n; m++) {
                if (size[cluster[m]] > 1 && dist[m] > 0 && (far < 0 || dist[m] > dist[far])) {
                    far = m;
                }
            }
            if (far < 0) {
                return; // every point sits on its centre: nothing to split
            }
            size[cluster[far]]--;
            cluster[far] = j;
            sign[far] = 1;
            dist[far] = 0;
            size[j] = 1;
        }
    }
}
