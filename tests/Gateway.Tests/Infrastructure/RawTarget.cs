using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>
/// Requests whose target reaches the gateway byte for byte. System.Uri would fix "%zz" into "%25zz", and the
/// test server reads paths through it, so these build the HttpContext directly, raw target included, the way
/// Kestrel hands it over (percent-encoding left in the path, the raw target untouched).
/// </summary>
internal static class RawTarget
{
    public static async Task<RawHttpResponse> SendAsync(TestServer server, string method, string rawTarget, byte[]? body = null)
    {
        var context = await server.SendAsync(c =>
        {
            var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
            c.Request.Method = method;
            c.Request.Path = new PathString(query < 0 ? rawTarget : rawTarget[..query]);
            c.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(rawTarget[query..]);
            c.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
            if (body is not null)
            {
                c.Request.ContentLength = body.Length;
                c.Request.Body = new MemoryStream(body);
            }
        });
        var headers = context.Response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        if (context.Response.ContentType is { } contentType)
        {
            headers["content-type"] = contentType;
        }

        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return new RawHttpResponse(context.Response.StatusCode, headers, await reader.ReadToEndAsync(), false);
    }
}
