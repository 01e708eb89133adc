using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace OrleansRaft.Gateway.Page;

/// <summary>
/// <c>GET /</c>: the live cluster page, one HTML file embedded in the assembly (inline CSS and script, nothing
/// fetched from elsewhere) that polls <c>/v1/cluster</c>. Its Content-Security-Policy allows exactly the page's
/// own inline script and style, by SHA-256 hashes computed here from the embedded file at startup, and
/// connections to this origin only; nothing else may load, run, frame it or be posted.
/// </summary>
internal static partial class ClusterPage
{
    public const string Route = "/";

    public const string ContentType = "text/html; charset=utf-8";

    private const string ResourceName = "OrleansRaft.Gateway.Page.cluster.html";

    private static readonly Lazy<(byte[] Body, string Policy)> Page = new(Load);

    /// <summary>The page as served: UTF-8, LF line endings.</summary>
    public static string Html => Encoding.UTF8.GetString(Page.Value.Body);

    public static string ContentSecurityPolicy => Page.Value.Policy;

    public static Task ServeAsync(HttpContext context)
    {
        var (body, policy) = Page.Value;
        var response = context.Response;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>The CSP hash source of one inline block, as the browser computes it over the element's text.</summary>
    public static string HashSource(string text) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";

    private static (byte[] Body, string Policy) Load()
    {
        using var stream = typeof(ClusterPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the gateway assembly lacks its embedded page {ResourceName}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // The HTML parser turns CR LF into LF before the browser hashes a block: serve what is hashed.
        var html = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        var scripts = ScriptBlock().Matches(html).Select(m => HashSource(m.Groups[1].Value)).ToList();
        var styles = StyleBlock().Matches(html).Select(m => HashSource(m.Groups[1].Value)).ToList();
        if (scripts.Count == 0 || styles.Count == 0)
        {
            throw new InvalidOperationException($"{ResourceName} has {scripts.Count} <script> and {styles.Count} <style> blocks; the page needs one of each, without attributes");
        }

        var policy = string.Join("; ",
            "default-src 'none'",
            $"script-src {string.Join(' ', scripts)}",
            $"style-src {string.Join(' ', styles)}",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'");
        return (Encoding.UTF8.GetBytes(html), policy);
    }

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptBlock();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex StyleBlock();
}
