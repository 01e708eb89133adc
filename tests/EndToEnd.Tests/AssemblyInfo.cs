// Each test runs a whole cluster (PostgreSQL, silos, gateway): two at once would starve each other of CPU and turn
// the chaos test's timeouts into noise, so the tests of this project run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
