using System.Globalization;

namespace OrleansRaft.Simulation;

/// <summary>The parsed command line (parsed by hand: no packages).</summary>
internal sealed record CommandLine
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/Simulation -- [options]

          --seeds N        run seeds S..S+N-1 (default 100), in parallel on every core
          --from S         first seed for --seeds (default 1)
          --nodes K        cluster size 3..11 (default 5); a comma list such as 3,5,7 runs every seed at every
                           size (so --seeds 200 --nodes 3,5,7 is 600 runs; pass/fail counts are runs)
          --seed S         run one seed, logging profile, crashes, partitions, elections and the verdict;
                           the last line is "trace-hash: <16 hex digits>" (equal for equal seed and size)
          --trace          with --seed: also log every event
          --help           this text

        Multi-seed runs print "FAIL seed=S nodes=K: <reason>" with a replay command for each failing run,
        totals and wall time, then "simulation: P passed, F failed"; the exit code is 0 iff nothing failed.
        From 20 runs on, a range in which no node installed a snapshot counts as one more failure (coverage).
        """;

    public long From { get; init; } = 1;

    public long Seeds { get; init; } = 100;

    public long? Seed { get; init; }

    public IReadOnlyList<int> Nodes { get; init; } = [5];

    public bool Trace { get; init; }

    public bool Help { get; init; }

    public static CommandLine Parse(string[] args)
    {
        var result = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            result = arg switch
            {
                "--help" or "-h" or "-?" => result with { Help = true },
                "--trace" => result with { Trace = true },
                "--seeds" => result with { Seeds = Number(args, ++i, arg, 1) },
                "--from" => result with { From = Number(args, ++i, arg, long.MinValue) },
                "--seed" => result with { Seed = Number(args, ++i, arg, long.MinValue) },
                "--nodes" => result with { Nodes = Sizes(args, ++i) },
                _ => throw new ArgumentException($"unknown argument '{arg}'"),
            };
        }

        return result;
    }

    private static long Number(string[] args, int i, string name, long min)
    {
        if (i >= args.Length || !long.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new ArgumentException($"{name} needs an integer{(min > long.MinValue ? $" >= {min}" : string.Empty)}");
        }

        return value;
    }

    private static int[] Sizes(string[] args, int i)
    {
        if (i >= args.Length)
        {
            throw new ArgumentException("--nodes needs a size or a comma list of sizes");
        }

        var sizes = new List<int>();
        foreach (var part in args[i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) || k is < 3 or > 11)
            {
                throw new ArgumentException($"--nodes: '{part}' is not a cluster size in 3..11");
            }

            sizes.Add(k);
        }

        return sizes.Count > 0 ? [.. sizes] : throw new ArgumentException("--nodes needs at least one size");
    }
}
