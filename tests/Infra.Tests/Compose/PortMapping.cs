namespace OrleansRaft.Infra.Tests.Compose;

/// <summary>One entry of a service's <c>ports</c>: <c>[host_ip:][host_port:]container_port[/protocol]</c>.</summary>
public sealed record PortMapping(string? HostIp, int? HostPort, int ContainerPort)
{
    public static PortMapping Parse(string text)
    {
        var withoutProtocol = text.Split('/')[0];
        var parts = withoutProtocol.Split(':');
        return parts.Length switch
        {
            1 => new PortMapping(null, null, int.Parse(parts[0], CultureInfo.InvariantCulture)),
            2 => new PortMapping(null, int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture)),
            3 => new PortMapping(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)),
            _ => throw new FormatException($"port mapping '{text}' is not [host_ip:][host_port:]container_port"),
        };
    }
}
