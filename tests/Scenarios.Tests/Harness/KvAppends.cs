using System.Globalization;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// 6.5840's checks on a value built by appends: client <c>c</c>'s <c>j</c>-th append is <c>"x c j y"</c>, and
/// every acknowledged append must be present exactly once, in the order its client made them.
/// </summary>
public static class KvAppends
{
    /// <summary>What client <paramref name="client"/> appends as its <paramref name="index"/>-th element.</summary>
    public static string Element(int client, int index) => string.Create(CultureInfo.InvariantCulture, $"x {client} {index} y");

    /// <summary>checkClntAppends: client <paramref name="client"/>'s first <paramref name="count"/> appends, once each, in order.</summary>
    public static void CheckClient(int client, string? value, int count, string replay)
    {
        var v = value ?? "";
        var last = -1;
        for (var j = 0; j < count; j++)
        {
            var wanted = Element(client, j);
            var at = v.IndexOf(wanted, StringComparison.Ordinal);
            Assert.True(at >= 0, $"client {client}: missing element \"{wanted}\" in Append result \"{v}\"; {replay}");
            Assert.True(v.LastIndexOf(wanted, StringComparison.Ordinal) == at, $"client {client}: duplicate element \"{wanted}\" in Append result \"{v}\"; {replay}");
            Assert.True(at > last, $"client {client}: wrong order for element \"{wanted}\" in Append result \"{v}\"; {replay}");
            last = at;
        }
    }

    /// <summary>checkConcurrentAppends: every client's appends, once each, each client's in its own order.</summary>
    public static void CheckConcurrent(string? value, IReadOnlyList<int> counts, string replay)
    {
        for (var client = 0; client < counts.Count; client++)
        {
            CheckClient(client, value, counts[client], replay);
        }
    }
}
