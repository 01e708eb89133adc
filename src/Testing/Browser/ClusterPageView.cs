using System.Diagnostics;
using System.Text;

namespace OrleansRaft.Testing.Browser;

/// <summary>
/// What the gateway's cluster page shows at one moment, read from its DOM by the stable ids and data-* attributes
/// it promises: <c>#status[data-state][data-updates]</c>, <c>#leader[data-leader]</c>, <c>#term[data-term]</c>,
/// <c>tr[data-node-id]</c>, <c>tr[data-election-term]</c>, <c>[data-no-history]</c>, <c>[data-stale-history]</c>,
/// <c>#changes li</c>.
/// </summary>
/// <param name="State">connecting, live, unreachable (the gateway did not answer) or error (its answer could not be shown).</param>
/// <param name="Updates">How many answers the page has rendered since it loaded.</param>
public sealed record ClusterPageView(
    string State,
    string Status,
    int Updates,
    long? Leader,
    string LeaderText,
    long? Term,
    IReadOnlyList<ClusterPageNode> Nodes,
    IReadOnlyList<ClusterPageElection> Elections,
    IReadOnlyList<long> NoHistory,
    IReadOnlyList<long> StaleHistory,
    IReadOnlyList<ClusterPageChange> Changes)
{
    /// <summary>The expression that reads a view out of the page (evaluated in the page, returns plain JSON).</summary>
    public const string Script = """
        (() => {
          const all = (selector) => [...document.querySelectorAll(selector)];
          const number = (text) => text === undefined || text === "" ? null : Number(text);
          const cells = (row) => [...row.cells].map((c) => c.textContent.trim());
          const status = document.getElementById("status");
          const leader = document.getElementById("leader");
          return {
            state: status.dataset.state,
            status: status.textContent.trim(),
            updates: Number(status.dataset.updates),
            leader: number(leader.dataset.leader),
            leaderText: leader.textContent.trim(),
            term: number(document.getElementById("term").dataset.term),
            nodes: all("tr[data-node-id]").map((r) => ({
              id: number(r.dataset.nodeId), role: r.dataset.role, reachable: r.dataset.reachable === "true",
              leader: r.dataset.leader === "true", lag: number(r.dataset.lag), cells: cells(r) })),
            elections: all("tr[data-election-term]").map((r) => ({
              term: number(r.dataset.electionTerm), node: number(r.dataset.electionNode), outcome: r.dataset.outcome,
              winner: number(r.dataset.winner), preVote: r.dataset.prevote === "true", reason: r.dataset.reason,
              stale: r.dataset.stale === "true", cells: cells(r) })),
            noHistory: all("[data-no-history]").map((e) => number(e.dataset.noHistory)),
            staleHistory: all("[data-stale-history]").map((e) => number(e.dataset.staleHistory)),
            changes: all("#changes li").map((e) => ({
              from: number(e.dataset.from), to: number(e.dataset.to), term: number(e.dataset.term), text: e.textContent.trim() })),
          };
        })()
        """;

    public static Task<ClusterPageView> ReadAsync(DevToolsPage page, CancellationToken cancellationToken = default) =>
        page.EvaluateAsync<ClusterPageView>(Script, cancellationToken);

    /// <summary>
    /// Reads the page every 100 ms until <paramref name="condition"/> holds and returns that view; throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/>, the last view and the page's errors otherwise.
    /// </summary>
    public static async Task<ClusterPageView> WaitAsync(DevToolsPage page, Func<ClusterPageView, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await ReadAsync(page);
            if (condition(view))
            {
                return view;
            }

            if (clock.Elapsed > timeout)
            {
                var problems = page.Problems;
                throw new TimeoutException(
                    $"the cluster page did not show {what} within {timeout.TotalSeconds:0} s; it showed:\n{view}" +
                    (problems.Count == 0 ? string.Empty : $"\npage errors:\n  {string.Join("\n  ", problems)}"));
            }

            await Task.Delay(100);
        }
    }

    public ClusterPageNode Node(long id) =>
        Nodes.FirstOrDefault(n => n.Id == id) ?? throw new InvalidOperationException($"the page shows no node {id}:\n{this}");

    /// <summary>Several lines: header, silo rows, election rows, notes, observed leader changes.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"status {State} ({Status}), {Updates} updates; leader {LeaderText}; term {Term?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        foreach (var node in Nodes)
        {
            text.AppendLine($"  silo: {node}");
        }

        foreach (var election in Elections)
        {
            text.AppendLine($"  election: {election}");
        }

        foreach (var id in NoHistory)
        {
            text.AppendLine($"  node {id}: no election history");
        }

        foreach (var id in StaleHistory)
        {
            text.AppendLine($"  node {id}: unreachable, its last reported history shown");
        }

        foreach (var change in Changes)
        {
            text.AppendLine($"  leader change: {change}");
        }

        return text.ToString().TrimEnd();
    }
}
