using OrleansRaft.Gateway.Http;

namespace OrleansRaft.Gateway.Tests.Http;

public sealed class KeyPathTests
{
    [Theory]
    [InlineData("/v1/kv/plain", "plain")]
    [InlineData("/v1/kv/a%2Fb", "a/b")]
    [InlineData("/v1/kv/a%2fb", "a/b")]
    [InlineData("/v1/kv/a%252Fb", "a%2Fb")]
    [InlineData("/v1/kv/%41+b", "A+b")]
    [InlineData("/v1/kv/sp%20ace?consistency=stale", "sp ace")]
    [InlineData("/V1/KV/Case", "Case")]
    [InlineData("/v1/kv/%D0%BA%D0%BB%D1%8E%D1%87", "ключ")]
    [InlineData("/v1/kv/%F0%9D%84%9E", "𝄞")]
    [InlineData("/v1/kv/ключ", "ключ")]
    [InlineData("/v1/kv/%00", "\0")]
    [InlineData("/v1/kv/%2E%2E", "..")]
    [InlineData("http://host:8080/v1/kv/abs", "abs")]
    public void Valid_targets_decode_to_their_key(string target, string key)
    {
        Assert.True(KeyPath.TryDecode(target, append: false, out var decoded, out var problem), problem?.Detail);
        Assert.Equal(key, decoded);
    }

    [Fact]
    public void The_append_route_takes_the_segment_before_append()
    {
        Assert.True(KeyPath.TryDecode("/v1/kv/a%2Fappend/append", append: true, out var key, out _));
        Assert.Equal("a/append", key);
        Assert.False(KeyPath.TryDecode("/v1/kv/a/append", append: false, out _, out _));
        Assert.False(KeyPath.TryDecode("/v1/kv/a", append: true, out _, out _));
    }

    [Theory]
    [InlineData("/v1/kv/")]
    [InlineData("/v1/kv/?consistency=stale")]
    [InlineData("/v1/kv/%")]
    [InlineData("/v1/kv/%2")]
    [InlineData("/v1/kv/%zz")]
    [InlineData("/v1/kv/%g0")]
    [InlineData("/v1/kv/%FF")]
    [InlineData("/v1/kv/%C3")]
    [InlineData("/v1/kv/%C0%AF")]
    [InlineData("/v1/kv/%ED%A0%80")]
    [InlineData("/v1/kv/a/b")]
    [InlineData("/v1/kv/./a")]
    [InlineData("/v1/x")]
    public void Invalid_targets_are_refused_with_a_reason(string target)
    {
        Assert.False(KeyPath.TryDecode(target, append: false, out _, out var problem));
        Assert.Equal(400, problem!.Status);
        Assert.EndsWith(":invalid-key", problem.Type);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }

    [Fact]
    public void Keys_are_limited_to_1024_bytes_of_UTF_8_not_characters()
    {
        Assert.True(KeyPath.TryDecode("/v1/kv/" + new string('k', 1024), false, out _, out _));
        Assert.False(KeyPath.TryDecode("/v1/kv/" + new string('k', 1025), false, out _, out _));
        Assert.True(KeyPath.TryDecode("/v1/kv/" + string.Concat(Enumerable.Repeat("%C3%A9", 512)), false, out var key, out _));
        Assert.Equal(512, key.Length);
        Assert.False(KeyPath.TryDecode("/v1/kv/" + string.Concat(Enumerable.Repeat("%C3%A9", 513)), false, out _, out _));
        Assert.False(KeyPath.TryDecode("/v1/kv/" + new string('é', 513), false, out _, out _));
        Assert.False(KeyPath.TryDecode("/v1/kv/" + string.Concat(Enumerable.Repeat("𝄞", 300)), false, out _, out _));
        Assert.False(KeyPath.TryDecode("/v1/kv/" + new string('k', 100_000), false, out _, out _));
    }

    [Fact]
    public void The_empty_key_is_recognised_on_both_routes()
    {
        Assert.True(KeyPath.IsEmptyKey("/v1/kv/"));
        Assert.True(KeyPath.IsEmptyKey("/v1/kv//append?x=1"));
        Assert.False(KeyPath.IsEmptyKey("/v1/kv/a"));
        Assert.False(KeyPath.IsEmptyKey("/v1/kv"));
    }
}
