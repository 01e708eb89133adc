using OrleansRaft.Testing.Browser;

namespace OrleansRaft.Gateway.Tests.Page;

/// <summary>
/// One headless Chromium for a test class (each test opens its own tab). Without Chromium every test of the class
/// fails with <see cref="HeadlessChromium.InstallHint"/>: scripts/test installs it through scripts/chromium.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private HeadlessChromium? browser;

    public HeadlessChromium Browser => browser ?? throw new InvalidOperationException("Chromium did not start");

    public async Task InitializeAsync() => browser = await HeadlessChromium.StartAsync(TimeSpan.FromSeconds(90));

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
    }
}
