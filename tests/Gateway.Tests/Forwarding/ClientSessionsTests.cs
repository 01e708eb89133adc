using OrleansRaft.Gateway.Forwarding;
using OrleansRaft.Gateway.Tests.Infrastructure;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Testing.Polling;

namespace OrleansRaft.Gateway.Tests.Forwarding;

public sealed class ClientSessionsTests
{
    [Fact]
    public void A_slot_numbers_its_requests_and_each_is_its_own_lowest_unanswered()
    {
        var sessions = new ClientSessions();
        var slot = sessions.Rent();
        var first = slot.Next();
        var second = slot.Next();
        Assert.Equal(slot.ClientId, first.ClientId);
        Assert.Equal((1L, 1L), (first.Sequence, first.LowestUnanswered));
        Assert.Equal((2L, 2L), (second.Sequence, second.LowestUnanswered));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(slot.ClientId) <= ClientRequest.MaxClientIdBytes);
    }

    [Fact]
    public void Requests_in_flight_at_once_get_distinct_sessions_and_returned_slots_are_reused()
    {
        var sessions = new ClientSessions();
        var a = sessions.Rent();
        var b = sessions.Rent();
        Assert.NotEqual(a.ClientId, b.ClientId);
        Assert.StartsWith(sessions.Prefix, a.ClientId);
        sessions.Return(a);
        var c = sessions.Rent();
        Assert.Same(a, c);
        Assert.Equal(2, sessions.Created);

        // Two gateway processes never share a session.
        Assert.NotEqual(sessions.Prefix, new ClientSessions().Prefix);
    }

    [Fact]
    public async Task A_deadline_source_cancels_after_its_deadline_and_only_unfired_ones_are_reused()
    {
        var pool = new DeadlinePool(TimeSpan.FromMilliseconds(50));
        var fired = pool.Rent();
        await Eventually.HoldsAsync(() => Task.FromResult(fired.IsCancellationRequested), TimeSpan.FromSeconds(10), () => "the 50 ms deadline never fired");
        pool.Return(fired);

        var fresh = pool.Rent();
        Assert.NotSame(fired, fresh);
        Assert.False(fresh.IsCancellationRequested);
        pool.Return(fresh);
        var reused = pool.Rent();
        Assert.Same(fresh, reused);
        Assert.False(reused.IsCancellationRequested);
        pool.Return(reused);
    }
}
