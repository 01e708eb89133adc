namespace OrleansRaft.Testing.Simulation;

/// <summary>A running FNV-1a digest of everything a run did; equal seeds must give equal digests.</summary>
public sealed class TraceHash
{
    public ulong Value { get; private set; } = Fnv.Offset;

    public void Add(long value) => Value = Fnv.Mix(Value, value);

    public void Add(long a, long b)
    {
        Add(a);
        Add(b);
    }

    public void Add(long a, long b, long c)
    {
        Add(a);
        Add(b);
        Add(c);
    }

    public override string ToString() => Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
