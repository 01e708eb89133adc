using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// Answers what routing cannot, with problem+json: 404 for no route, 405 (routing's own 405 writes only a
/// status and an Allow header), 400 for the empty key <c>/v1/kv/</c>. Kestrel removes dot segments from the
/// path before routing, so keys such as ".." (or "%2E%2E") miss the routes: they are dispatched from the raw
/// target here. Requests for the gateway's own endpoints pass straight through.
/// </summary>
internal sealed class RoutingProblems(RequestDelegate next, KvEndpoints kv)
{
    public Task InvokeAsync(HttpContext context) => context.GetEndpoint() switch
    {
        RouteEndpoint => next(context),
        null => NoRouteAsync(context),
        _ => WithProblemBodyAsync(context),
    };

    private Task NoRouteAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        var closeConnection = RequestBody.IsPresent(context);
        if (KeyPath.IsEmptyKey(raw))
        {
            return Problems.WriteAsync(context, Problems.InvalidKey("the key is empty; it must be 1 to 1024 bytes of UTF-8"), closeConnection: closeConnection);
        }

        var method = context.Request.Method;
        if (KeyPath.TryDecode(raw, append: false, out _, out _))
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) => kv.GetAsync(context),
                _ when HttpMethods.IsPut(method) => kv.PutAsync(context),
                _ when HttpMethods.IsDelete(method) => kv.DeleteAsync(context),
                _ => MethodNotAllowedAsync(context, "DELETE, GET, PUT"),
            };
        }

        if (KeyPath.TryDecode(raw, append: true, out _, out _))
        {
            return HttpMethods.IsPost(method) ? kv.AppendAsync(context) : MethodNotAllowedAsync(context, "POST");
        }

        return Problems.WriteAsync(
            context,
            Problems.RouteNotFound($"no route {method} {Problems.Shorten(context.Request.Path.ToString())}; see /openapi/v1.json"),
            closeConnection: closeConnection);
    }

    private static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return Problems.WriteAsync(
            context,
            Problems.MethodNotAllowed($"{context.Request.Method} is not allowed on {Problems.Shorten(context.Request.Path.ToString())}; allowed: {allow}"),
            closeConnection: RequestBody.IsPresent(context));
    }

    private async Task WithProblemBodyAsync(HttpContext context)
    {
        await next(context);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode < 400 || response.ContentLength > 0 || response.ContentType is not null)
        {
            return;
        }

        if (response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            await MethodNotAllowedAsync(context, response.Headers.Allow.ToString());
            return;
        }

        await Problems.WriteAsync(
            context,
            Problems.Generic(response.StatusCode, $"{context.Request.Method} {Problems.Shorten(context.Request.Path.ToString())}"),
            closeConnection: RequestBody.IsPresent(context));
    }
}
