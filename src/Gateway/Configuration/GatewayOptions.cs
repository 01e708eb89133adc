using OrleansRaft.Grains.Hosting;

namespace OrleansRaft.Gateway.Configuration;

/// <summary>Everything one gateway process is configured with; <see cref="GatewayCommandLine"/> fills it.</summary>
public sealed record GatewayOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Node id → base address of every silo hosting a replica of the group (the silos' --peers list).</summary>
    public required IReadOnlyDictionary<long, Uri> Silos { get; init; }

    /// <summary>Where to serve HTTP/1.1 (cleartext).</summary>
    public IReadOnlyList<Uri> Urls { get; init; } = [new(DefaultUrl)];

    /// <summary>Where to serve cleartext HTTP/2 with prior knowledge (h2c); Kestrel cannot offer both on one cleartext port.</summary>
    public IReadOnlyList<Uri> H2Urls { get; init; } = [];

    public long GroupId { get; init; } = 1;

    /// <summary>How long one client request may take, retries and leader changes included.</summary>
    public int DeadlineMs { get; init; } = 5000;

    /// <summary>How long a membership change or leadership transfer may take; adding a voter includes its catch-up.</summary>
    public int MembershipDeadlineMs { get; init; } = 60_000;

    public long MaxValueBytes { get; init; } = 1 << 20;

    /// <summary>How long one silo status call may take (leader discovery, /v1/cluster, /readyz).</summary>
    public int StatusTimeoutMs { get; init; } = 1000;

    /// <summary>Grace period after which a request body arriving slower than 240 bytes/s is cut off with 408.</summary>
    public int BodyTimeoutMs { get; init; } = 5000;

    /// <summary>The Retry-After of a 503: about one election.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>OTLP export of traces and metrics (OTEL_* variables); null = off.</summary>
    public TelemetryOptions? Telemetry { get; init; }

    public TimeSpan Deadline => TimeSpan.FromMilliseconds(DeadlineMs);

    public TimeSpan MembershipDeadline => TimeSpan.FromMilliseconds(MembershipDeadlineMs);

    public TimeSpan StatusTimeout => TimeSpan.FromMilliseconds(StatusTimeoutMs);

    /// <summary>Everything wrong with these options, in words an operator can act on; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Silos.Count == 0)
        {
            errors.Add("--silos is required");
        }

        if (Urls.Count == 0 && H2Urls.Count == 0)
        {
            errors.Add("--urls or --h2-urls must name at least one address to serve on");
        }

        if (GroupId <= 0)
        {
            errors.Add("--group must be a positive integer");
        }

        if (DeadlineMs <= 0 || StatusTimeoutMs <= 0 || MembershipDeadlineMs <= 0)
        {
            errors.Add("--deadline-ms, --membership-deadline-ms and --status-timeout-ms must be positive");
        }

        if (MaxValueBytes is < 0 or > 256 << 20)
        {
            errors.Add("--max-value-bytes must be between 0 and 256 MiB (a silo's --max-message-bytes must hold it base64-encoded)");
        }

        // Kestrel's rate check runs on a one-second heartbeat and refuses a shorter grace period.
        if (BodyTimeoutMs <= 1000)
        {
            errors.Add("--body-timeout-ms must be more than 1000");
        }

        if (RetryAfterSeconds <= 0)
        {
            errors.Add("--retry-after-s must be positive");
        }

        return errors;
    }
}
