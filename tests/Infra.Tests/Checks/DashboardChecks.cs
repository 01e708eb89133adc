using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansRaft.Raft;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>
/// A dashboard against the provisioning and the collector: data source uids that exist, variables that are
/// defined, metric names in one place (the constants), span names the instrumentation emits, role numbers
/// that are <see cref="Role"/>'s.
/// </summary>
public static partial class DashboardChecks
{
    /// <summary>The m_* and l_* constants of a dashboard.</summary>
    public static IReadOnlyList<MetricConstant> Constants(JsonObject dashboard) => [.. Variables(dashboard)
        .Where(v => Text(v, "type") == "constant" && Text(v, "name") is { } name && (name.StartsWith("m_", StringComparison.Ordinal) || name.StartsWith("l_", StringComparison.Ordinal)))
        .Select(v => new MetricConstant(Text(v, "name")!, Text(v, "label") ?? string.Empty, Text(v, "query") ?? string.Empty))];

    public static IReadOnlyList<string> Check(ComposeStack stack) => Problems.Collect(problems =>
    {
        var datasources = GrafanaChecks.Datasources(stack).ToDictionary(d => d.Uid, d => d.Type, StringComparer.Ordinal);
        var (spanNamespace, dimensions) = TelemetryChecks.SpanMetrics(stack.CollectorConfig);
        foreach (var (file, dashboard) in GrafanaChecks.Dashboards(stack))
        {
            problems.AddRange(Check(file, dashboard, datasources, spanNamespace, dimensions));
        }
    });

    private static IEnumerable<string> Check(string file, JsonObject dashboard, IReadOnlyDictionary<string, string> datasources, string? spanNamespace, IReadOnlyList<string> dimensions)
    {
        if (Text(dashboard, "uid") is null || Text(dashboard, "title") is null)
        {
            yield return $"{file}: a dashboard needs a uid and a title";
        }

        var panels = Panels(dashboard).ToList();
        foreach (var clash in panels.GroupBy(p => p["id"]?.ToJsonString()).Where(g => g.Key is null || g.Count() > 1))
        {
            yield return $"{file}: panel id {clash.Key ?? "(none)"} is {(clash.Key is null ? "missing" : "used twice")}";
        }

        // Every data source reference, panel or target or variable, by a provisioned uid of the right type.
        foreach (var (where, reference) in DatasourceReferences(panels, Variables(dashboard)))
        {
            if (reference is not JsonObject { } ds || Text(ds, "uid") is not { } uid)
            {
                yield return $"{file}: {where}: the data source must be {{\"type\", \"uid\"}}, not {reference?.ToJsonString() ?? "missing"}";
            }
            else if (!datasources.TryGetValue(uid, out var type))
            {
                yield return $"{file}: {where}: data source uid {uid} is not provisioned (known: {string.Join(", ", datasources.Keys)})";
            }
            else if (Text(ds, "type") != type)
            {
                yield return $"{file}: {where}: data source uid {uid} has type {type}, not {Text(ds, "type")}";
            }
        }

        var defined = Variables(dashboard).Select(v => Text(v, "name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var queries = Queries(panels, Variables(dashboard)).ToList();
        foreach (var (where, text) in queries)
        {
            foreach (var name in VariableReference().Matches(text).Select(m => m.Groups["name"].Value).Where(n => !n.StartsWith("__", StringComparison.Ordinal) && !defined.Contains(n)))
            {
                yield return $"{file}: {where}: ${name} is no variable of the dashboard";
            }
        }

        // Metric names in one place: the constants. Each is the translation of its OTel name, used, never written out.
        var constants = Constants(dashboard);
        foreach (var constant in constants)
        {
            if (constant.OtelName.Length == 0 || constant.PrometheusName != MetricConstant.Translate(constant.OtelName))
            {
                yield return $"{file}: constant {constant.Variable}: '{constant.PrometheusName}' is not the Prometheus name of OTel '{constant.OtelName}' ({MetricConstant.Translate(constant.OtelName)})";
            }

            if (!queries.Any(q => q.Text.Contains("${" + constant.Variable + "}", StringComparison.Ordinal)))
            {
                yield return $"{file}: constant {constant.Variable} ({constant.OtelName}) is used by no query";
            }

            foreach (var (where, _) in queries.Where(q => Regex.IsMatch(q.Text, $@"(?<![A-Za-z0-9_]){Regex.Escape(constant.PrometheusName)}(_bucket|_sum|_count)?(?![A-Za-z0-9_])")))
            {
                yield return $"{file}: {where}: names {constant.PrometheusName} directly; use ${{{constant.Variable}}} so metric names stay in one place";
            }

            if (constant.IsLabel && !dimensions.Contains(constant.OtelName))
            {
                yield return $"{file}: constant {constant.Variable}: {constant.OtelName} is not a spanmetrics dimension of the collector ({string.Join(", ", dimensions)})";
            }
        }

        var spanNames = queries.SelectMany(q => SpanName().Matches(q.Text).Select(m => (q.Where, Name: m.Groups["name"].Value))).ToList();
        foreach (var (where, name) in spanNames.Where(s => !SpanNames.Known.Contains(s.Name)))
        {
            yield return $"{file}: {where}: span name {name} is none the instrumentation emits ({string.Join(", ", SpanNames.Known)})";
        }

        if (spanNames.Count > 0)
        {
            foreach (var suffix in new[] { ".calls", ".duration" }.Where(s => !constants.Any(c => c.OtelName == spanNamespace + s)))
            {
                yield return $"{file}: no constant for the collector's span metric {spanNamespace}{suffix}";
            }
        }

        foreach (var problem in RoleNumbers(file, panels))
        {
            yield return problem;
        }
    }

    /// <summary>raft.role is the number of <see cref="Role"/>: value mappings name every role right, comparisons mean Leader.</summary>
    private static IEnumerable<string> RoleNumbers(string file, IReadOnlyList<JsonObject> panels)
    {
        foreach (var panel in panels)
        {
            var expressions = Targets(panel).Select(t => Text(t, "expr") ?? string.Empty).Where(e => e.Contains("${m_role}", StringComparison.Ordinal)).ToList();
            foreach (var number in expressions.SelectMany(e => RoleComparison().Matches(e)).Select(m => int.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)).Where(n => n != (int)Role.Leader))
            {
                yield return $"{file}: panel {Text(panel, "title")}: compares raft.role with {number}, but Leader is {(int)Role.Leader}";
            }

            var mappings = panel["fieldConfig"]?["defaults"]?["mappings"]?.AsArray().Select(m => m?["options"]).OfType<JsonObject>().SelectMany(o => o).ToList() ?? [];
            if (expressions.Count == 0 || mappings.Count == 0)
            {
                continue;
            }

            foreach (var role in Enum.GetValues<Role>())
            {
                var mapped = mappings.FirstOrDefault(m => m.Key == ((int)role).ToString(CultureInfo.InvariantCulture)).Value?["text"]?.GetValue<string>();
                if (mapped != role.ToString().ToLowerInvariant())
                {
                    yield return $"{file}: panel {Text(panel, "title")}: raft.role {(int)role} is {role}, mapped to '{mapped ?? "nothing"}'";
                }
            }
        }
    }

    private static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        (dashboard["panels"]?.AsArray() ?? []).OfType<JsonObject>().SelectMany(p => new[] { p }.Concat((p["panels"]?.AsArray() ?? []).OfType<JsonObject>()));

    private static IEnumerable<JsonObject> Variables(JsonObject dashboard) =>
        (dashboard["templating"]?["list"]?.AsArray() ?? []).OfType<JsonObject>();

    private static IEnumerable<JsonObject> Targets(JsonObject panel) => (panel["targets"]?.AsArray() ?? []).OfType<JsonObject>();

    private static IEnumerable<(string Where, JsonNode? Reference)> DatasourceReferences(IEnumerable<JsonObject> panels, IEnumerable<JsonObject> variables)
    {
        foreach (var panel in panels.Where(p => Text(p, "type") != "row"))
        {
            yield return ($"panel {Text(panel, "title")}", panel["datasource"]);
            foreach (var target in Targets(panel).Where(t => t.ContainsKey("datasource")))
            {
                yield return ($"panel {Text(panel, "title")} target {Text(target, "refId")}", target["datasource"]);
            }
        }

        foreach (var variable in variables.Where(v => Text(v, "type") == "query"))
        {
            yield return ($"variable {Text(variable, "name")}", variable["datasource"]);
        }
    }

    /// <summary>Every query text of panels and variables: PromQL, TraceQL, legends, variable definitions.</summary>
    private static IEnumerable<(string Where, string Text)> Queries(IEnumerable<JsonObject> panels, IEnumerable<JsonObject> variables)
    {
        foreach (var panel in panels)
        {
            foreach (var target in Targets(panel))
            {
                foreach (var key in new[] { "expr", "query", "legendFormat" })
                {
                    if (Text(target, key) is { } text)
                    {
                        yield return ($"panel {Text(panel, "title")} target {Text(target, "refId")}", text);
                    }
                }
            }
        }

        foreach (var variable in variables.Where(v => Text(v, "type") == "query"))
        {
            foreach (var text in new[] { Text(variable, "definition"), variable["query"] is JsonObject query ? Text(query, "query") : Text(variable, "query") }.OfType<string>())
            {
                yield return ($"variable {Text(variable, "name")}", text);
            }
        }
    }

    private static string? Text(JsonObject node, string key) =>
        node[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    [GeneratedRegex(@"\$\{(?<name>\w+)(:[^}]*)?\}|\$(?<name>\w+)|\[\[(?<name>\w+)\]\]")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"\b(span_)?name\s*=\s*""(?<name>[^""]+)""")]
    private static partial Regex SpanName();

    [GeneratedRegex(@"\$\{m_role\}.*?==\s*(?<value>\d+)")]
    private static partial Regex RoleComparison();
}
