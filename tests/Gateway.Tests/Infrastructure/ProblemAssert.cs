using System.Net;
using System.Text.Json;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 problem+json answer with this status, and returns its body.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? type = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return Body(text, (int)status, type);
    }

    /// <summary>Checks the four RFC 9457 members of a problem body.</summary>
    public static JsonElement Body(string text, int status, string? type = null)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement.Clone();
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        foreach (var member in new[] { "type", "title", "detail" })
        {
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty(member).GetString()), $"problem member '{member}' is empty: {text}");
        }

        if (type is not null)
        {
            Assert.EndsWith(":" + type, root.GetProperty("type").GetString());
        }

        return root;
    }
}
