using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRaft.Gateway.Page;
using OrleansRaft.Gateway.Tests.Infrastructure;

namespace OrleansRaft.Gateway.Tests.Page;

/// <summary>
/// How the gateway serves its cluster page: at <c>/</c>, as UTF-8 HTML, with a Content-Security-Policy that lets
/// only the page's own inline script and style run (by hash) and connects only to its own origin, and with
/// nothing in the page that would load from anywhere else. The gateway runs in memory; no silo is needed.
/// </summary>
public sealed partial class ClusterPageServingTests : IAsyncLifetime
{
    private readonly GatewayFactory factory = new("1=http://127.0.0.1:1", new OutputSink());
    private HttpResponseMessage response = null!;
    private string html = null!;

    public async Task InitializeAsync()
    {
        using var client = factory.NewClient();
        response = await client.GetAsync("/");
        html = await response.Content.ReadAsStringAsync();
    }

    public async Task DisposeAsync()
    {
        response.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public void The_page_is_served_at_the_root_as_UTF8_HTML_and_never_sniffed_cached_stale_or_framed()
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetByteCount(html), response.Content.Headers.ContentLength);
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("DENY", Header("X-Frame-Options"));
        Assert.Equal("no-referrer", Header("Referrer-Policy"));
        Assert.Equal("no-cache", Header("Cache-Control"));
        Assert.StartsWith("<!doctype html>\n<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta charset=\"utf-8\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', html);
        Assert.Equal(ClusterPage.Html, html);
    }

    [Fact]
    public void The_CSP_allows_the_pages_own_inline_script_and_style_by_hash_and_nothing_else()
    {
        var directives = Header("Content-Security-Policy").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());

        // The hashes, computed here from the bytes served, as the browser computes them over each block's text.
        Assert.Equal(Hashes(ScriptBlock()), directives["script-src"]);
        Assert.Equal(Hashes(StyleBlock()), directives["style-src"]);
        Assert.Equal(["'none'"], directives["default-src"]);
        Assert.Equal(["'self'"], directives["connect-src"]);
        Assert.Equal(["'none'"], directives["base-uri"]);
        Assert.Equal(["'none'"], directives["form-action"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.Equal(["'script'"], directives["require-trusted-types-for"]);
        Assert.Equal(
            ["base-uri", "connect-src", "default-src", "form-action", "frame-ancestors", "require-trusted-types-for", "script-src", "style-src"],
            directives.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_page_links_nothing_external_and_has_nothing_the_CSP_would_block()
    {
        // No resource attributes at all (src, href, srcset, action, ...): everything is inline.
        Assert.Empty(ResourceAttribute().Matches(html).Select(m => m.Value));
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@font-face", html, StringComparison.OrdinalIgnoreCase);

        // Inline handlers and style attributes would need 'unsafe-inline': none may be there.
        Assert.Empty(EventHandlerAttribute().Matches(html).Select(m => m.Value));
        Assert.Empty(StyleAttribute().Matches(html).Select(m => m.Value));
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal);
        Assert.DoesNotContain("eval(", html, StringComparison.Ordinal);

        // One script and one style block, without attributes (their hashes are the policy), and one relative fetch.
        Assert.Single(ScriptBlock().Matches(html));
        Assert.Single(StyleBlock().Matches(html));
        Assert.Equal(2, Regex.Matches(html, "<script").Count + Regex.Matches(html, "<style").Count);
        Assert.Equal(["fetch(\"v1/cluster\""], Regex.Matches(html, @"fetch\([^,)]*").Select(m => m.Value));
    }

    [Fact]
    public async Task The_page_is_not_part_of_the_REST_contracts_OpenAPI_document()
    {
        using var client = factory.NewClient();
        var openApi = await client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/v1/cluster\"", openApi, StringComparison.Ordinal);
        Assert.DoesNotContain("\"/\":", openApi, StringComparison.Ordinal);
    }

    private string Header(string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"no {name} header; headers: {response.Headers}{response.Content.Headers}");

    private string[] Hashes(Regex block) =>
        [.. block.Matches(html).Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'")];

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptBlock();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();

    [GeneratedRegex(@"<[a-z][^>]*\s(src|href|srcset|action|formaction|poster|background|data|manifest)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex ResourceAttribute();

    [GeneratedRegex(@"<[a-z][^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();

    [GeneratedRegex(@"<[a-z][^>]*\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();
}
