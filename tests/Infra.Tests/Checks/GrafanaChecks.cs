using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansRaft.Infra.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>Grafana's provisioning: data sources that reach Tempo and Prometheus, dashboards where the provider looks.</summary>
public static partial class GrafanaChecks
{
    public const string ProvisioningPath = "/etc/grafana/provisioning";

    /// <summary>The provisioned data sources, as written (a "$$" stays "$$").</summary>
    public static IReadOnlyList<Datasource> Datasources(ComposeStack stack)
    {
        var folder = stack.MountedFile(stack.Grafana, ProvisioningPath) + "/datasources";
        return [.. YamlFiles(stack, folder).SelectMany(file => stack.Files.ReadYaml(file).At("datasources").Items().Select(d => new Datasource(
            file,
            d.TextAt("name") ?? string.Empty,
            d.TextAt("uid") ?? string.Empty,
            d.TextAt("type") ?? string.Empty,
            d.TextAt("url") ?? string.Empty,
            d.At("jsonData"))))];
    }

    /// <summary>The repository-relative paths of every dashboard JSON the providers load.</summary>
    public static IReadOnlyList<string> DashboardFiles(ComposeStack stack)
    {
        var folder = stack.MountedFile(stack.Grafana, ProvisioningPath) + "/dashboards";
        var paths = YamlFiles(stack, folder)
            .SelectMany(file => stack.Files.ReadYaml(file).At("providers").Items())
            .Select(provider => provider.TextAt("options", "path") ?? throw new InvalidDataException($"{folder}: a provider has no options.path"))
            .Select(path => stack.MountedFile(stack.Grafana, path));
        return [.. paths.SelectMany(path => Directory.GetFiles(stack.Files.FullPath(path), "*.json"))
            .Select(full => Path.GetRelativePath(stack.Files.Root, full).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
    }

    public static IReadOnlyList<(string File, JsonObject Dashboard)> Dashboards(ComposeStack stack) =>
        [.. DashboardFiles(stack).Select(file => (file, JsonNode.Parse(stack.Files.Read(file)) as JsonObject ?? throw new InvalidDataException($"{file}: not a JSON object")))];

    /// <summary>
    /// Data sources: unique uids, URLs at the Tempo and Prometheus services' listening ports, references to other
    /// data sources by existing uids, trace-to-metrics queries on the dashboard's metric names, no stray "$".
    /// </summary>
    public static IReadOnlyList<string> Provisioning(ComposeStack stack) => Problems.Collect(problems =>
    {
        var datasources = Datasources(stack);
        var uids = datasources.Select(d => d.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var clash in datasources.GroupBy(d => d.Uid).Where(g => g.Count() > 1 || g.Key.Length == 0))
        {
            problems.Add($"data source uid '{clash.Key}' is {(clash.Key.Length == 0 ? "missing" : "used twice")} ({string.Join(", ", clash.Select(d => d.Name))})");
        }

        foreach (var file in datasources.Select(d => d.File).Distinct())
        {
            foreach (var value in Scalars(stack.Files.ReadYaml(file)).Where(v => v.Replace("$$", string.Empty, StringComparison.Ordinal).Contains('$', StringComparison.Ordinal)))
            {
                problems.Add($"{file}: '{value}': a single '$' is an environment variable to Grafana's provisioning; write '$$' for a literal one");
            }
        }

        var expected = new Dictionary<string, (string Service, int Port)>
        {
            ["prometheus"] = (stack.Prometheus.Name, stack.ListeningPorts(stack.Prometheus)!.Single()),
            ["tempo"] = (stack.Tempo.Name, stack.TempoHttpPort),
        };
        foreach (var datasource in datasources)
        {
            if (!expected.TryGetValue(datasource.Type, out var target))
            {
                problems.Add($"{datasource.File}: data source {datasource.Name} has type {datasource.Type}; the checks know prometheus and tempo");
            }
            else if (!Uri.TryCreate(datasource.Url, UriKind.Absolute, out var url) || url.Host != target.Service || url.Port != target.Port)
            {
                problems.Add($"{datasource.File}: data source {datasource.Name} is at {datasource.Url}, but {datasource.Type} is http://{target.Service}:{target.Port}");
            }

            foreach (var reference in Values(datasource.JsonData, "datasourceUid").Where(r => !uids.Contains(r)))
            {
                problems.Add($"{datasource.File}: data source {datasource.Name} refers to uid {reference}, which is not provisioned");
            }
        }

        var metricNames = Dashboards(stack).SelectMany(d => DashboardChecks.Constants(d.Dashboard)).Select(c => c.PrometheusName).ToHashSet(StringComparer.Ordinal);
        foreach (var datasource in datasources.Where(d => d.Type == "tempo"))
        {
            foreach (var query in datasource.JsonData.At("tracesToMetrics", "queries").Items().Select(q => q.TextAt("query") ?? string.Empty))
            {
                foreach (var metric in MetricSelector().Matches(query).Select(m => m.Groups["name"].Value))
                {
                    var name = Regex.Replace(metric, "_(bucket|sum|count)$", string.Empty);
                    if (!metricNames.Contains(name))
                    {
                        problems.Add($"{datasource.File}: trace-to-metrics query uses {metric}, which is none of the dashboard's metric constants");
                    }
                }
            }
        }
    });

    /// <summary>The home dashboard setting names a dashboard file that Grafana can see.</summary>
    public static IReadOnlyList<string> Service(ComposeStack stack) => Problems.Collect(problems =>
    {
        if (DashboardFiles(stack).Count == 0)
        {
            problems.Add("no dashboard JSON where the dashboard providers look");
        }

        if (stack.Grafana.Environment.TryGetValue("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", out var home) && !stack.Files.Exists(stack.MountedFile(stack.Grafana, home)))
        {
            problems.Add($"GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH {home} is no file in a mounted folder");
        }
    });

    private static IEnumerable<string> YamlFiles(ComposeStack stack, string folder) =>
        Directory.Exists(stack.Files.FullPath(folder))
            ? Directory.GetFiles(stack.Files.FullPath(folder)).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Select(f => Path.GetRelativePath(stack.Files.Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)
            : throw new InvalidDataException($"{folder} does not exist");

    /// <summary>Every scalar under a key named <paramref name="key"/>, at any depth.</summary>
    private static IEnumerable<string> Values(YamlNode? node, string key) => node switch
    {
        YamlMappingNode mapping => mapping.Children.SelectMany(pair => pair.Key.Text() == key && pair.Value.Text() is { } value ? [value] : Values(pair.Value, key)),
        YamlSequenceNode sequence => sequence.Children.SelectMany(child => Values(child, key)),
        _ => [],
    };

    private static IEnumerable<string> Scalars(YamlNode? node) => node switch
    {
        YamlScalarNode { Value: { } value } => [value],
        YamlMappingNode mapping => mapping.Children.SelectMany(pair => Scalars(pair.Value)),
        YamlSequenceNode sequence => sequence.Children.SelectMany(Scalars),
        _ => [],
    };

    [GeneratedRegex(@"(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex MetricSelector();
}
