using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// Randomized runs over lossy links (seeded). The network checks Election Safety and State Machine Safety after
/// every step; these tests check liveness once the losses stop. A failure names its seed.
/// </summary>
public sealed class LossyNetworkTests
{
    [Theory]
    [InlineData(3, 0.2)]
    [InlineData(5, 0.3)]
    public void LossyLinks_NeverBreakSafety_AndTheGroupRecoversWhenTheyHeal(int size, double loss)
    {
        for (var seed = 1; seed <= 25; seed++)
        {
            var net = Network.Create(size, seed);
            foreach (var from in net.Ids)
            {
                foreach (var to in net.Ids.Where(to => to != from))
                {
                    net.Drop(from, to, loss);
                }
            }

            var proposed = 0;
            for (var round = 0; round < 300; round++)
            {
                net.TickAll();
                foreach (var leader in net.Leaders())
                {
                    if (leader.Propose(BitConverter.GetBytes(round)).Accepted)
                    {
                        proposed++;
                    }
                }
            }

            net.Recover();
            net.TickUntil(
                () => net.Leaders().Count == 1 && net.Peers.All(p => p.Node.AppliedIndex == net.Leaders()[0].LastIndex),
                500);

            var leaderLog = Logs.Describe(net.Storage(net.Leaders()[0].Id));
            Assert.True(proposed > 0, $"seed {seed}: nothing was proposed");
            Assert.True(net.Peers.All(p => Logs.Describe(p.Storage).SequenceEqual(leaderLog)), $"seed {seed}: logs differ after healing: {net.Describe()}");
        }
    }
}
