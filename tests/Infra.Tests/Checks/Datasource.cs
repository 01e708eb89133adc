using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>One provisioned Grafana data source.</summary>
public sealed record Datasource(string File, string Name, string Uid, string Type, string Url, YamlNode? JsonData);
