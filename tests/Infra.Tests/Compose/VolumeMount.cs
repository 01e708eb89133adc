namespace OrleansRaft.Infra.Tests.Compose;

/// <summary>One entry of a service's <c>volumes</c>: <c>source:target[:mode]</c>; a source without a path is a named volume.</summary>
public sealed record VolumeMount(string Source, string Target, bool ReadOnly)
{
    public bool IsBind => Source.StartsWith('.') || Source.StartsWith('/');

    public static VolumeMount Parse(string text)
    {
        var parts = text.Split(':');
        return parts.Length switch
        {
            2 => new VolumeMount(parts[0], parts[1], false),
            3 => new VolumeMount(parts[0], parts[1], parts[2].Split(',').Contains("ro")),
            _ => throw new FormatException($"volume '{text}' is not source:target[:mode]"),
        };
    }
}
