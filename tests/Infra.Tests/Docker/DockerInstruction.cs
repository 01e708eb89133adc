namespace OrleansRaft.Infra.Tests.Docker;

/// <summary>One instruction of a Dockerfile: its keyword (upper case) and the rest of its line(s).</summary>
public sealed record DockerInstruction(string Keyword, string Arguments, int Line);
