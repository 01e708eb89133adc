using System.Globalization;
using System.Text;

namespace OrleansRaft.Testing.Linearizability;

/// <summary>The verdict of <see cref="LinearizabilityChecker.Check"/>; <see cref="ToString"/> is written for a failed test's output.</summary>
public sealed record CheckResult
{
    public required CheckOutcome Outcome { get; init; }

    public bool IsLinearizable => Outcome == CheckOutcome.Ok;

    /// <summary>The failing key, when Illegal; the first key left undecided, when Unknown.</summary>
    public string? Key { get; init; }

    /// <summary>A small illegal sub-history of <see cref="Key"/>'s operations, in call order: with any set of the key's
    /// other writes added it is still illegal.</summary>
    public IReadOnlyList<KvOperation> Counterexample { get; init; } = [];

    /// <summary>Operations checked (unknown-outcome Gets are not counted: they carry no information).</summary>
    internal int OperationCount { get; init; }

    internal int KeyCount { get; init; }

    /// <summary>Operations on <see cref="Key"/>, of which <see cref="Counterexample"/> is a part.</summary>
    internal int KeyOperationCount { get; init; }

    internal TimeSpan? Timeout { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        switch (Outcome)
        {
            case CheckOutcome.Ok:
                text.Append(inv, $"Ok: linearizable ({OperationCount} operations on {KeyCount} keys).");
                break;
            case CheckOutcome.Unknown:
                text.Append(inv, $"Unknown: the search ran out of time");
                if (Timeout is { } timeout)
                {
                    text.Append(inv, $" ({timeout.TotalSeconds:0.###} s)");
                }

                if (Key is not null)
                {
                    text.Append(" on key ").Append(OperationFormat.Quote(Key));
                }

                text.Append(inv, $" before it found a linearization or proved there is none ({OperationCount} operations on {KeyCount} keys). ")
                    .Append("This is no evidence either way: give it more time or a smaller history.");
                break;
            case CheckOutcome.Illegal:
                text.Append("Illegal: the operations on key ").Append(OperationFormat.Quote(Key ?? "?"))
                    .AppendLine(" are not linearizable: no single order of them that respects real time (an operation that")
                    .AppendLine("returned before another was called must come first) gives every Get the value it returned.");
                text.Append(inv, $"Counterexample: {Counterexample.Count} of the key's {KeyOperationCount} operations, in call order; none of the")
                    .AppendLine(" key's other writes can explain it away.")
                    .AppendLine("[call, return] are positions on the history's clock; return ? = outcome unknown (took effect after its call, or never).");
                var width = Counterexample.Count == 0 ? 0 : Counterexample.Max(o => o.ClientId.ToString(inv).Length);
                foreach (var op in Counterexample)
                {
                    text.Append("  ").AppendLine(OperationFormat.Line(op, width));
                }

                break;
        }

        return text.ToString().TrimEnd();
    }
}
