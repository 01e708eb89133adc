namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>A <c>host:port</c> as collector, Tempo and Prometheus configs write it (no scheme).</summary>
public sealed record Endpoint(string Host, int Port)
{
    public static Endpoint Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? new Endpoint(text[..colon], port)
            : throw new FormatException($"'{text}' is not host:port");
    }

    public override string ToString() => $"{Host}:{Port}";
}
