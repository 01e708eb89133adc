using System.Text;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Raft.Tests.Harness;

/// <summary>Builds logs for scripted scenarios (Figures 7 and 8) and reads them back.</summary>
internal static class Logs
{
    /// <summary>
    /// The entry a scenario log holds at <paramref name="index"/>. Entry 1 is the founding configuration (every
    /// log in the paper's figures starts with a term-1 entry); later entries are commands whose payload names
    /// their index and term, so two logs agree on an entry exactly when they agree on its index and term.
    /// </summary>
    public static LogEntry Entry(long index, long term, IReadOnlyList<long> voters) =>
        index == 1
            ? new LogEntry(1, term, EntryKind.Configuration, new Configuration(voters, []).Encode())
            : new LogEntry(index, term, EntryKind.Command, Encoding.UTF8.GetBytes($"{index}@{term}"));

    /// <summary>
    /// Storage holding entries 1..n with the given terms (terms[0] is entry 1's) and the given hard state.
    /// </summary>
    public static MemoryStorage Storage(IReadOnlyList<long> voters, IReadOnlyList<long> terms, long term, long vote = RaftNode.None, long commit = 0)
    {
        var storage = new MemoryStorage();
        storage.Append([.. terms.Select((t, i) => Entry(i + 1, t, voters))]);
        storage.SetHardState(new HardState(term, vote, commit));
        return storage;
    }

    /// <summary>Concatenates runs of (count, term): <c>Runs((3, 1), (2, 4))</c> is 1,1,1,4,4.</summary>
    public static long[] Runs(params (int Count, long Term)[] runs) =>
        [.. runs.SelectMany(r => Enumerable.Repeat(r.Term, r.Count))];

    /// <summary>The terms of every stored entry, from the first stored index.</summary>
    public static long[] Terms(MemoryStorage storage) =>
        [.. All(storage).Select(e => e.Term)];

    public static IReadOnlyList<LogEntry> All(MemoryStorage storage) =>
        storage.LastIndex < storage.FirstIndex ? [] : storage.Entries(storage.FirstIndex, storage.LastIndex + 1, long.MaxValue);

    /// <summary>(index, term, kind, payload) of every stored entry, comparable with <see cref="Assert.Equal{T}(IEnumerable{T}, IEnumerable{T})"/>.</summary>
    public static List<string> Describe(MemoryStorage storage) =>
        [.. All(storage).Select(e => $"{e.Index}:{e.Term}:{e.Kind}:{Convert.ToHexString(e.Data.Span)}")];
}
