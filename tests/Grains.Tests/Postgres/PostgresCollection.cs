namespace OrleansRaft.Grains.Tests.Postgres;

/// <summary>Test classes that share the one <see cref="PostgresServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "Postgres";
}
