using System.Numerics;

namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// A latency histogram laid out like HdrHistogram's: non-negative values (microseconds by convention) fall in
/// log-linear buckets, each power of two split into 128 equal sub-buckets, so any value is known to within
/// 1/128 (better than 2 significant decimal digits) and values below 256 exactly. Covers the whole
/// <see cref="long"/> range in a fixed 57 KiB; not thread-safe: one per worker, then <see cref="Merge"/>.
/// </summary>
public sealed class LatencyHistogram
{
    // HdrHistogram's layout with unit magnitude 0: 2^7 sub-buckets per half-bucket, 2^8 in the first bucket,
    // which is the smallest power of two above 2 * 10^2 (2 significant digits).
    private const int SubBucketHalfCountMagnitude = 7;
    private const int SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude;
    private const long SubBucketMask = (SubBucketHalfCount * 2) - 1;
    private const int LeadingZeroCountBase = 64 - SubBucketHalfCountMagnitude - 1;
    private const int CountsLength = (LeadingZeroCountBase + 1) * SubBucketHalfCount;

    private readonly long[] counts = new long[CountsLength];
    private Int128 sum; // exact: a long overflows after a few huge values
    private long min = long.MaxValue;

    public long Count { get; private set; }

    /// <summary>The smallest value recorded, exactly; 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : min;

    /// <summary>The largest value recorded, exactly (not rounded to its bucket); 0 when empty.</summary>
    public long Max { get; private set; }

    public double Mean => Count == 0 ? 0 : (double)sum / Count;

    public void Record(long value, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        value = Math.Max(0, value);
        counts[IndexOf(value)] += count;
        Count += count;
        sum += (Int128)value * count;
        min = Math.Min(min, value);
        Max = Math.Max(Max, value);
    }

    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] += other.counts[i];
        }

        Count += other.Count;
        sum += other.sum;
        min = Math.Min(min, other.min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the recorded values lie: the
    /// highest value equivalent to the one of rank <see cref="Rank"/>, capped by <see cref="Max"/>; 0 when empty.
    /// </summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Rank(percentile, Count);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalentValue(ValueAt(i)), Max);
            }
        }

        return Max;
    }

    /// <summary>The 1-based rank of the <paramref name="percentile"/>th value among <paramref name="count"/> sorted ones.</summary>
    public static long Rank(double percentile, long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100.0);
        // The epsilon keeps 99.9% of 1000 at 999 despite 99.9 / 100 * 1000 = 999.0000000000001.
        var rank = (long)Math.Ceiling((percentile / 100.0 * count) - 1e-9);
        return Math.Clamp(rank, 1, count);
    }

    /// <summary>The largest value that shares <paramref name="value"/>'s bucket.</summary>
    public static long HighestEquivalentValue(long value)
    {
        value = Math.Max(0, value);
        var index = IndexOf(value);
        return ValueAt(index) + BucketWidth(index) - 1;
    }

    /// <summary>The smallest value that shares <paramref name="value"/>'s bucket.</summary>
    public static long LowestEquivalentValue(long value) => ValueAt(IndexOf(Math.Max(0, value)));

    private static int IndexOf(long value)
    {
        var bucket = LeadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | SubBucketMask));
        var subBucket = (int)(value >> bucket);
        return ((bucket + 1) << SubBucketHalfCountMagnitude) + (subBucket - SubBucketHalfCount);
    }

    private static long ValueAt(int index)
    {
        var bucket = (index >> SubBucketHalfCountMagnitude) - 1;
        long subBucket = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0)
        {
            subBucket -= SubBucketHalfCount;
            bucket = 0;
        }

        return subBucket << bucket;
    }

    private static long BucketWidth(int index) => 1L << Math.Max(0, (index >> SubBucketHalfCountMagnitude) - 1);
}
