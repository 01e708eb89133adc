namespace OrleansRaft.Testing.Simulation;

/// <summary>A property of the run was violated; the message names the property, nodes, term, index and time.</summary>
public sealed class SimulationFailureException : Exception
{
    public SimulationFailureException()
    {
    }

    public SimulationFailureException(string message)
        : base(message)
    {
    }

    public SimulationFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
