using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRaft.Bench.Reporting;

namespace OrleansRaft.Bench.Measurement;

/// <summary>Tallies <c>perf script</c> sample lines by process group, thread name and function.</summary>
internal sealed partial class PerfSummary(Func<int, string, string> group)
{
    private readonly Dictionary<int, string> groups = [];
    private readonly Dictionary<string, long> byGroup = [];
    private readonly Dictionary<(string Group, string Thread), long> byThread = [];
    private readonly Dictionary<(string Group, string Symbol), long> bySymbol = [];
    private long total;

    public void Add(string line)
    {
        var match = SampleLine().Match(line);
        if (!match.Success)
        {
            return;
        }

        var pid = int.Parse(match.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture);
        var thread = match.Groups["comm"].Value.Trim();
        if (!groups.TryGetValue(pid, out var name))
        {
            // The first sample's thread name stands for the process: for a silo any thread maps by pid anyway.
            groups[pid] = name = group(pid, thread);
        }

        var symbol = match.Groups["sym"].Value.Trim();
        if (symbol is "" or "[unknown]")
        {
            symbol = $"[{Path.GetFileName(match.Groups["dso"].Value)}]";
        }
        else if (ManagedName().Match(symbol) is { Success: true } managed)
        {
            // "instance void [Assembly] Name.Space.Type+<M>d__1::MoveNext()[OptimizedTier1]" → "Type+<M>d__1::MoveNext"
            symbol = $"{managed.Groups["type"].Value[(managed.Groups["type"].Value.LastIndexOf('.') + 1)..]}::{managed.Groups["method"].Value}";
        }

        total++;
        byGroup[name] = byGroup.GetValueOrDefault(name) + 1;
        byThread[(name, thread)] = byThread.GetValueOrDefault((name, thread)) + 1;
        bySymbol[(name, symbol)] = bySymbol.GetValueOrDefault((name, symbol)) + 1;
    }

    public string ToMarkdown(int symbolsPerGroup)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# perf: {total:N0} samples on all cores");
        text.AppendLine();
        var groupTable = new MarkdownTable("process", "samples", "share");
        foreach (var (name, count) in byGroup.OrderByDescending(g => g.Value))
        {
            groupTable.Add(name, Format.Count(count), Share(count, total));
        }

        text.AppendLine(groupTable.ToString());
        foreach (var (name, count) in byGroup.OrderByDescending(g => g.Value).Where(g => g.Value * 100 >= total))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {name}: {Share(count, total)} of all samples");
            text.AppendLine();
            var threads = new MarkdownTable("thread", "share of the process");
            foreach (var ((_, thread), n) in byThread.Where(t => t.Key.Group == name).OrderByDescending(t => t.Value).Take(10))
            {
                threads.Add(thread, Share(n, count));
            }

            text.AppendLine(threads.ToString());
            var symbols = new MarkdownTable("function (self)", "share of the process");
            foreach (var ((_, symbol), n) in bySymbol.Where(s => s.Key.Group == name).OrderByDescending(s => s.Value).Take(symbolsPerGroup))
            {
                symbols.Add(symbol.Replace("|", "\\|", StringComparison.Ordinal), Share(n, count));
            }

            text.AppendLine(symbols.ToString());
        }

        return text.ToString();
    }

    private static string Share(long part, long whole) => (part * 100.0 / Math.Max(1, whole)).ToString("F1", CultureInfo.InvariantCulture) + "%";

    [GeneratedRegex(@"(?<type>[\w.`+<>|]+)::(?<method>[\w.`<>|]+)\(")]
    private static partial Regex ManagedName();

    [GeneratedRegex(@"^\s*(?<comm>.*?)\s+(?<pid>\d+)/(?<tid>\d+)\s+[0-9a-f]+\s+(?<sym>.*?)\s*\((?<dso>[^()]*)\)\s*$")]
    private static partial Regex SampleLine();
}
