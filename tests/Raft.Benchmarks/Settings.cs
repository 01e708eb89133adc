using System.Globalization;

namespace OrleansRaft.Raft.Benchmarks;

/// <summary>Command-line options.</summary>
internal sealed class Settings
{
    public const string Usage =
        "usage: OrleansRaft.Raft.Benchmarks [--entries N] [--batch 1,10,100,1000] [--size 100] [--runs R] [--warmup N] [--keep 10000] [--breakdown] [--alloc-types]\n" +
        "  --entries N    entries per measured run (default: 1,000,000 for batch 1, 5,000,000 for batch < 100, 10,000,000 otherwise)\n" +
        "  --batch LIST   batch sizes (proposals per turn), comma-separated (default 1,10,100,1000)\n" +
        "  --size BYTES   payload bytes per proposal (default 100)\n" +
        "  --runs R       measured runs per batch size; the median by entries/CPU-s is shown (default 3)\n" +
        "  --warmup N     entries per warm-up run; warm-up runs repeat for at least 1 s before each batch size (default: a tenth of the run)\n" +
        "  --keep N       entries each store keeps below its applied index when compacting (default 10,000)\n" +
        "  --breakdown    after the measured runs, one more run per batch size timing every host call\n" +
        "  --alloc-types  after the measured runs, one more run per batch size tallying allocations by type";

    public long? Entries { get; private set; }

    public IReadOnlyList<int> Batches { get; private set; } = [1, 10, 100, 1000];

    public int Size { get; private set; } = 100;

    public int Runs { get; private set; } = 3;

    public long? Warmup { get; private set; }

    public long Keep { get; private set; } = 10_000;

    public bool Breakdown { get; private set; }

    public bool AllocationTypes { get; private set; }

    public bool Help { get; private set; }

    public long EntriesFor(int batch) => Entries ?? batch switch
    {
        1 => 1_000_000,
        < 100 => 5_000_000,
        _ => 10_000_000,
    };

    public long WarmupFor(long entries) => Warmup ?? Math.Max(10_000, entries / 10);

    public static Settings Parse(string[] args)
    {
        var s = new Settings();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--entries":
                    s.Entries = PositiveLong(args, ref i);
                    break;
                case "--batch":
                    s.Batches = Value(args, ref i)
                        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(b => (int)Positive(b, "--batch"))
                        .ToArray();
                    if (s.Batches.Count == 0)
                    {
                        throw new ArgumentException("--batch needs at least one size");
                    }

                    break;
                case "--size":
                    s.Size = (int)PositiveLong(args, ref i);
                    break;
                case "--runs":
                    s.Runs = (int)PositiveLong(args, ref i);
                    break;
                case "--warmup":
                    s.Warmup = PositiveLong(args, ref i);
                    break;
                case "--keep":
                    s.Keep = PositiveLong(args, ref i);
                    break;
                case "--breakdown":
                    s.Breakdown = true;
                    break;
                case "--alloc-types":
                    s.AllocationTypes = true;
                    break;
                case "-h" or "--help":
                    s.Help = true;
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return s;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new ArgumentException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static long PositiveLong(string[] args, ref int i)
    {
        var name = args[i];
        return Positive(Value(args, ref i), name);
    }

    private static long Positive(string text, string name)
    {
        if (!long.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > int.MaxValue * 16L)
        {
            throw new ArgumentException($"{name}: '{text}' is not a positive number");
        }

        return value;
    }
}
