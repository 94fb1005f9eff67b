/* Statistics of repeated measurements: summaries, order-statistic confidence intervals,
 * Mann-Whitney U, bootstrap ratios, outliers, KDE modes and a small deterministic RNG.
 * SPDX-License-Identifier: MIT */
#include "stats_dist.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util_xalloc.h"

#define KDE_POINTS    512
#define MWU_EXACT_MAX 50

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;

    return (a > b) - (a < b);
}

static int all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return 0;
    }
    return 1;
}

static double *sorted_copy(const double *x, size_t n)
{
    double *s = xreallocarray(NULL, n, sizeof(*s));

    memcpy(s, x, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_double);
    return s;
}

/* a + t (b - a) for 0 <= t <= 1 in numpy's form (exact at both ends, monotone), falling back
 * to a weighted sum when b - a overflows, and to the limit when an end is infinite. */
static double lerp(double a, double b, double t)
{
    if (t == 0 || a == b)
        return a;
    if (t == 1)
        return b;
    if (isinf(a) || isinf(b))
        return isinf(a) && isinf(b) ? NAN : (isinf(a) ? a : b);
    double d = b - a;
    if (isinf(d))
        return a * (1 - t) + b * t;
    return t < 0.5 ? a + d * t : b - d * (1 - t);
}

/* Type-7 quantile of sorted s[0..n-1]: the virtual index is (n - 1) p. */
static double quantile_sorted(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);

    if (lo >= n - 1)
        return s[n - 1];
    return lerp(s[lo], s[lo + 1], h - (double)lo);
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : (c > b ? b : c);
}

/* Reorder x[0..n-1] so that x[k] holds the value of rank k, with no greater value before it
 * and no smaller one after it (C++'s nth_element). Hoare partitions around a median of three;
 * a range that does not shrink fast enough is sorted instead, so the worst case stays
 * O(n log n). */
static void select_nth(double *x, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    int budget = 16;

    for (size_t m = n; m > 1; m >>= 1)
        budget += 2;
    while (lo < hi) {
        if (budget-- == 0) {
            qsort(x + lo, (size_t)(hi - lo + 1), sizeof(*x), cmp_double);
            return;
        }
        double pivot = median3(x[lo], x[lo + (hi - lo) / 2], x[hi]);
        ptrdiff_t i = lo, j = hi;
        do {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i <= j) {
                double t = x[i];
                x[i++] = x[j];
                x[j--] = t;
            }
        } while (i <= j);
        if (j < kk)
            lo = i;
        if (kk < i)
            hi = j;
    }
}

double stats_dist_median_inplace(double *x, size_t n)
{
    assert(n > 0);
    size_t k = n / 2;

    select_nth(x, n, k);
    if (n % 2)
        return x[k];
    double below = x[0];
    for (size_t i = 1; i < k; i++) {
        if (x[i] > below)
            below = x[i];
    }
    return lerp(below, x[k], 0.5);
}

/* Median of |s[i] - m| for sorted s. Left of m the deviations grow leftwards, right of it they
 * grow rightwards, so merging the two runs outwards from m visits them in sorted order. */
static double mad_sorted(const double *s, size_t n, double m)
{
    size_t lo = 0, hi = n, want_lo = (n - 1) / 2, want_hi = n / 2;
    double v = 0, v_lo = 0;

    while (lo < hi) { /* first index with s[i] >= m */
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t left = lo, right = lo; /* next candidates: s[left - 1] and s[right] */
    for (size_t k = 0; k <= want_hi; k++) {
        if (right >= n || (left > 0 && m - s[left - 1] <= s[right] - m))
            v = m - s[--left];
        else
            v = s[right++] - m;
        if (k == want_lo)
            v_lo = v;
    }
    return lerp(v_lo, v, want_lo == want_hi ? 0 : 0.5);
}

/* Mean (compensated long double sum), sd, cv and skewness g1 of sorted s. Central moments
 * come from a second pass, corrected for the residual error of the mean; long double keeps
 * squares and cubes of values near DBL_MAX finite. */
static void moments(const double *s, size_t n, struct stats_summary *r)
{
    long double sum = 0, comp = 0, ln = (long double)n;

    r->sd = r->cv = r->skew = 0;
    if (s[0] == s[n - 1]) {
        r->mean = s[0];
        return;
    }
    for (size_t i = 0; i < n; i++) { /* Neumaier's summation */
        long double t = sum + s[i];
        comp += fabsl(sum) >= fabsl((long double)s[i]) ? (sum - t) + s[i] : (s[i] - t) + sum;
        sum = t;
    }
    long double mean = (sum + comp) / ln, d1 = 0, m2 = 0, m3 = 0;
    for (size_t i = 0; i < n; i++) {
        long double d = s[i] - mean;
        d1 += d;
        m2 += d * d;
        m3 += d * d * d;
    }
    long double e = d1 / ln; /* the mean's residual error */
    m3 = m3 - 3 * e * m2 + 2 * ln * e * e * e;
    m2 -= d1 * e;
    double mn = (double)mean;
    r->mean = mn < s[0] ? s[0] : (mn > s[n - 1] ? s[n - 1] : mn);
    if (n < 2 || m2 <= 0)
        return;
    r->sd = (double)sqrtl(m2 / (ln - 1));
    r->cv = r->mean != 0 ? r->sd / r->mean : 0;
    if (n >= 3)
        r->skew = (double)((m3 / ln) / powl(m2 / ln, 1.5L));
}

/* Distribution-free CI of the median: [s(l), s(n+1-l)] (1-based) covers it with probability
 * 1 - 2 P(B <= l - 1), B ~ Binomial(n, 1/2). Picks the largest l whose coverage is >= 0.95,
 * or l = 1 when even [min, max] falls short (n < 6). The binomial terms come from a recurrence
 * started 10 standard deviations below n/2, where the tail left out is below 1e-22. */
static void median_ci(const double *s, size_t n, struct stats_summary *r)
{
    const long double tail = 0.025L;
    long double ln = (long double)n, start = floorl(ln / 2 - 5 * sqrtl(ln));
    size_t k = start > 0 ? (size_t)start : 0;
    long double pmf, cdf;

    if (k == 0) /* n <= 100 */
        pmf = ldexpl(1, -(int)n);
    else
        pmf = expl(lgammal(ln + 1) - lgammal((long double)k + 1) -
                   lgammal(ln - (long double)k + 1) - ln * logl(2));
    cdf = pmf; /* P(B <= k) */
    size_t l = 1;
    if (cdf <= tail) {
        for (;;) { /* invariant: cdf = P(B <= k) <= tail */
            long double next = pmf * (ln - (long double)k) / ((long double)k + 1);
            if (cdf + next > tail)
                break;
            pmf = next;
            cdf += next;
            k++;
        }
        l = k + 1;
    }
    r->median_lo = s[l - 1];
    r->median_hi = s[n - l];
    r->median_ci_level = (double)(1 - 2 * cdf);
}

int stats_dist_summary(const double *x, size_t n, struct stats_summary *out)
{
    if (n == 0 || !all_finite(x, n))
        return -EINVAL;
    double *s = sorted_copy(x, n);
    struct stats_summary r = {.n = n, .min = s[0], .max = s[n - 1]};

    r.q1 = quantile_sorted(s, n, 0.25);
    r.median = quantile_sorted(s, n, 0.5);
    r.q3 = quantile_sorted(s, n, 0.75);
    r.mad = mad_sorted(s, n, r.median);
    moments(s, n, &r);
    median_ci(s, n, &r);
    free(s);
    *out = r;
    return 0;
}

double stats_dist_quantile(const double *x, size_t n, double p)
{
    assert(n > 0);
    if (n == 0 || isnan(p))
        return NAN;
    p = p < 0 ? 0 : (p > 1 ? 1 : p);
    double *s = xreallocarray(NULL, n, sizeof(*s));
    memcpy(s, x, n * sizeof(*s));
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo > n - 1)
        lo = n - 1;
    select_nth(s, n, lo);
    double v = s[lo];
    if (lo + 1 < n && h > (double)lo) {
        double above = s[lo + 1];
        for (size_t i = lo + 2; i < n; i++) {
            if (s[i] < above)
                above = s[i];
        }
        v = lerp(v, above, h - (double)lo);
    }
    free(s);
    return v;
}

/* U of a (pairs with ai > bj, ties 1/2) and the tie term sum(t^3 - t) over groups of equal
 * values, by merging the sorted samples. */
static void mwu_count(const double *sa, size_t na, const double *sb, size_t nb, double *u,
                      double *ties)
{
    long double uu = 0, tt = 0;
    size_t i = 0, j = 0;

    while (i < na || j < nb) {
        double v = (j >= nb || (i < na && sa[i] < sb[j])) ? sa[i] : sb[j];
        size_t ca = 0, cb = 0;
        while (i < na && sa[i] == v) {
            i++;
            ca++;
        }
        while (j < nb && sb[j] == v) {
            j++;
            cb++;
        }
        long double lca = (long double)ca, t = (long double)(ca + cb);
        uu += lca * (long double)(j - cb) + 0.5L * lca * (long double)cb;
        tt += t * t * t - t;
    }
    *u = (double)uu;
    *ties = (double)tt;
}

/* P(U <= k) under H0 for samples of sizes n and m without ties. f(i, j, u), the number of
 * orderings of i values of one sample and j of the other with U = u, obeys
 * f(i, j, u) = f(i - 1, j, u - j) + f(i, j - 1, u) (the largest value belongs to the first
 * sample and beats all j, or to the second). Rows j = 0..m are kept for u = 0..k only: the
 * counts below k never need higher ones. Additions only, so the relative error stays near
 * machine epsilon even for tails of 1e-29. */
static double mwu_exact_cdf(size_t n, size_t m, size_t k)
{
    size_t w = k + 1;
    double *f = xcalloc((m + 1) * w, sizeof(*f));
    long double total = 1, sum = 0;

    for (size_t j = 0; j <= m; j++)
        f[j * w] = 1;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            double *row = f + j * w, *prev = f + (j - 1) * w;
            for (size_t u = k + 1; u-- > j;)
                row[u] = row[u - j] + prev[u];
            for (size_t u = 0; u < j && u <= k; u++)
                row[u] = prev[u];
        }
    }
    for (size_t u = 0; u <= k; u++)
        sum += f[m * w + u];
    for (size_t i = 1; i <= m; i++) /* C(n + m, m) */
        total = total * (long double)(n + i) / (long double)i;
    free(f);
    return (double)(sum / total);
}

int stats_dist_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                            struct stats_mwu *out)
{
    if (na == 0 || nb == 0 || !all_finite(a, na) || !all_finite(b, nb))
        return -EINVAL;
    double *sa = sorted_copy(a, na), *sb = sorted_copy(b, nb), u, ties;
    mwu_count(sa, na, sb, nb, &u, &ties);
    free(sa);
    free(sb);

    double nn = (double)na * (double)nb, mu = nn / 2, n = (double)na + (double)nb;
    struct stats_mwu r = {.u = u, .auc = u / nn, .p = 1};
    if (na <= MWU_EXACT_MAX && nb <= MWU_EXACT_MAX && ties == 0) {
        size_t k = (size_t)(u < nn - u ? u : nn - u);
        r.exact = 1;
        r.p = fmin(1, 2 * mwu_exact_cdf(na, nb, k));
    } else {
        double var = nn / 12 * ((n + 1) - ties / (n * (n - 1)));
        double dev = fabs(u - mu) - 0.5; /* continuity correction */
        if (var > 0 && dev > 0) {
            r.z = copysign(dev / sqrt(var), u - mu);
            r.p = fmin(1, erfc(fabs(r.z) / sqrt(2)));
        }
    }
    *out = r;
    return 0;
}

static void resample(const double *x, size_t n, double *dst, struct stats_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = x[stats_rng_below(rng, n)];
}

/* ma / mb, with a zero denominator giving an infinity signed like ma (+inf for 0 / 0). */
static double safe_ratio(double ma, double mb)
{
    if (mb != 0)
        return ma / mb;
    return ma < 0 ? -INFINITY : INFINITY;
}

int stats_dist_ratio(const double *a, size_t na, const double *b, size_t nb, unsigned reps,
                     uint64_t seed, struct stats_ratio *out)
{
    if (na == 0 || nb == 0 || reps < 100 || !all_finite(a, na) || !all_finite(b, nb))
        return -EINVAL;
    double *w = xreallocarray(NULL, na > nb ? na : nb, sizeof(*w));
    double *ratios = NULL;
    int err = 0;

    memcpy(w, a, na * sizeof(*w));
    double ma = stats_dist_median_inplace(w, na);
    memcpy(w, b, nb * sizeof(*w));
    double mb = stats_dist_median_inplace(w, nb);
    if (mb == 0) {
        err = -EINVAL;
        goto out;
    }
    ratios = xreallocarray(NULL, reps, sizeof(*ratios));
    struct stats_rng rng;
    stats_rng_init(&rng, seed);
    for (unsigned r = 0; r < reps; r++) {
        resample(a, na, w, &rng);
        double ra = stats_dist_median_inplace(w, na);
        resample(b, nb, w, &rng);
        ratios[r] = safe_ratio(ra, stats_dist_median_inplace(w, nb));
    }
    qsort(ratios, reps, sizeof(*ratios), cmp_double);
    out->ratio = ma / mb;
    out->lo = quantile_sorted(ratios, reps, 0.025);
    out->hi = quantile_sorted(ratios, reps, 0.975);
out:
    free(ratios);
    free(w);
    return err;
}

size_t stats_dist_outliers(const double *x, size_t n, double threshold, signed char *flags)
{
    double *s = xreallocarray(NULL, n ? n : 1, sizeof(*s));
    size_t m = 0, count = 0;

    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i]))
            s[m++] = x[i];
    }
    qsort(s, m, sizeof(*s), cmp_double);
    double med = m ? quantile_sorted(s, m, 0.5) : 0, mad = m ? mad_sorted(s, m, med) : 0;
    free(s);
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - med;
        int out;
        if (!isfinite(x[i]))
            out = 1;
        else if (mad > 0)
            out = 0.6745 * fabs(d) / mad > threshold;
        else
            out = fabs(d) > 0.01 * fabs(med);
        flags[i] = (signed char)(out ? (x[i] < med ? -1 : 1) : 0);
        count += out != 0;
    }
    return count;
}

/* Silverman's rule of thumb: 0.9 min(sd, IQR / 1.34) n^(-1/5), using sd when IQR is 0. */
static double silverman(const double *s, size_t n, double iqr)
{
    struct stats_summary m;

    moments(s, n, &m);
    double spread = iqr > 0 && iqr / 1.34 < m.sd ? iqr / 1.34 : m.sd;
    return 0.9 * spread * pow((double)n, -0.2);
}

/* Gaussian KDE of sorted s on KDE_POINTS points from g0 with spacing step, by linear binning
 * and a direct convolution (O(n + points^2) instead of O(n points)). Values outside the grid
 * are left out. dens integrates to the fraction of the sample on the grid. */
static void kde(const double *s, size_t n, double g0, double step, double h, double *dens)
{
    double w[KDE_POINTS] = {0}, ker[KDE_POINTS];
    double top = g0 + step * (KDE_POINTS - 1);

    for (size_t i = 0; i < n; i++) {
        if (s[i] < g0 || s[i] > top)
            continue;
        double pos = (s[i] - g0) / step;
        size_t j = (size_t)pos;
        if (j >= KDE_POINTS - 1) {
            w[KDE_POINTS - 1] += 1;
            continue;
        }
        w[j] += 1 - (pos - (double)j);
        w[j + 1] += pos - (double)j;
    }
    double norm = 1 / ((double)n * h * sqrt(2 * M_PI));
    for (int d = 0; d < KDE_POINTS; d++) {
        double z = d * step / h;
        ker[d] = norm * exp(-0.5 * z * z);
    }
    for (int g = 0; g < KDE_POINTS; g++) {
        double sum = 0;
        for (int j = 0; j < KDE_POINTS; j++)
            sum += w[j] * ker[g > j ? g - j : j - g];
        dens[g] = sum;
    }
}

/* Local maxima of d (interior points; a plateau counts once, at its left end). */
static int local_maxima(const double *d, int *peaks)
{
    int count = 0;

    for (int i = 1; i < KDE_POINTS - 1; i++) {
        if (!(d[i] > d[i - 1]))
            continue;
        int j = i + 1;
        while (j < KDE_POINTS && d[j] == d[i])
            j++;
        if (j < KDE_POINTS && d[j] < d[i])
            peaks[count++] = i;
        i = j - 1;
    }
    return count;
}

/* Whether the peak at p is separated from every higher peak: on each side that has higher
 * ground (on the left an equal peak counts as higher, so twin peaks count once), the lowest
 * point on the way there is the valley; the higher of the two valleys must be below
 * 0.7 of the peak. The highest peak always passes. */
static int separated(const double *d, int p)
{
    double col = -1, low = d[p];

    for (int i = p - 1; i >= 0; i--) {
        if (d[i] >= d[p]) {
            col = low;
            break;
        }
        low = fmin(low, d[i]);
    }
    low = d[p];
    for (int i = p + 1; i < KDE_POINTS; i++) {
        if (d[i] > d[p]) {
            col = fmax(col, low);
            break;
        }
        low = fmin(low, d[i]);
    }
    return col < 0.7 * d[p];
}

/* Index of the lowest point of d strictly between peaks a < b. */
static int valley(const double *d, int a, int b)
{
    int v = a + 1;

    for (int i = a + 2; i < b; i++) {
        if (d[i] < d[v])
            v = i;
    }
    return v;
}

/* Drop the lightest of the peaks (mass between the neighbouring valleys, times step) while it
 * holds less than min_mass and more than one is left. Returns the number left. */
static int drop_light(const double *d, double step, double min_mass, int *peaks, int count)
{
    while (count > 1) {
        int lightest = 0;
        double least = INFINITY;
        for (int k = 0; k < count; k++) {
            int from = k > 0 ? valley(d, peaks[k - 1], peaks[k]) : 0;
            int to = k + 1 < count ? valley(d, peaks[k], peaks[k + 1]) : KDE_POINTS;
            double mass = 0;
            for (int i = from; i < to; i++)
                mass += d[i] * step;
            if (mass < least) {
                least = mass;
                lightest = k;
            }
        }
        if (least >= min_mass)
            break;
        memmove(peaks + lightest, peaks + lightest + 1,
                (size_t)(count - lightest - 1) * sizeof(*peaks));
        count--;
    }
    return count;
}

/* The grid spans the sample plus 3 bandwidths on each side, clipped to Tukey's far fences
 * (3 IQR beyond the quartiles) so that a few extreme values do not spread the 512 points too
 * thin to resolve the bulk; values beyond the fences still count in the mass fractions. */
int stats_dist_modes(const double *x, size_t n, double min_mass, double *where, int max)
{
    if (n < 2)
        return 0;
    if (!all_finite(x, n))
        return -EINVAL;
    double *s = sorted_copy(x, n), dens[KDE_POINTS];
    int peaks[KDE_POINTS], count = 0;

    if (s[0] == s[n - 1])
        goto out;
    double q1 = quantile_sorted(s, n, 0.25), q3 = quantile_sorted(s, n, 0.75);
    double h = silverman(s, n, q3 - q1), lo = s[0], hi = s[n - 1];
    if (q3 > q1) {
        lo = fmax(lo, q1 - 3 * (q3 - q1));
        hi = fmin(hi, q3 + 3 * (q3 - q1));
    }
    double g0 = lo - 3 * h, step = (hi - lo + 6 * h) / (KDE_POINTS - 1);
    kde(s, n, g0, step, h, dens);
    int all = local_maxima(dens, peaks);
    for (int k = 0; k < all; k++) {
        if (separated(dens, peaks[k]))
            peaks[count++] = peaks[k];
    }
    count = drop_light(dens, step, min_mass, peaks, count);
    for (int k = 0; k < count && k < max; k++)
        where[k] = g0 + step * peaks[k];
out:
    free(s);
    return count;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The state is four successive outputs of splitmix64 started at seed (docs/formats.md §9); it
 * is never all zero. */
void stats_rng_init(struct stats_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t stats_rng_next(struct stats_rng *r)
{
    uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Lemire's multiply-and-reject (docs/formats.md §9): the high half of x * n is uniform once the
 * low halves below 2^64 mod n are rejected. */
uint64_t stats_rng_below(struct stats_rng *r, uint64_t n)
{
    assert(n > 0);
    unsigned __int128 m = (unsigned __int128)stats_rng_next(r) * n;

    if ((uint64_t)m < n) {
        uint64_t lim = -n % n; /* 2^64 mod n */
        while ((uint64_t)m < lim)
            m = (unsigned __int128)stats_rng_next(r) * n;
    }
    return (uint64_t)(m >> 64);
}
