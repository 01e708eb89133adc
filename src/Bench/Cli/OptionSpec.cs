namespace OrleansRaft.Bench.Cli;

/// <summary>One option an experiment takes: <c>--name value</c> (or <c>--name=value</c>), or a bare flag.</summary>
/// <param name="Repeatable">May be given more than once; every value is kept.</param>
public sealed record OptionSpec(string Name, string Default, string Help, bool IsFlag = false, bool Repeatable = false);
