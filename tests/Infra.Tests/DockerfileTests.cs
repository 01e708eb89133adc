using OrleansRaft.Infra.Tests.Checks;
using OrleansRaft.Infra.Tests.Files;

namespace OrleansRaft.Infra.Tests;

public sealed class DockerfileTests
{
    private readonly ComposeStack stack = new(InfraFiles.Repository());

    [Fact]
    public void Dockerfiles_copy_what_the_published_project_needs_and_run_its_dll() =>
        Expect.None(DockerfileChecks.Check(stack));

    [Fact]
    public void The_silo_and_gateway_images_run_the_real_assemblies()
    {
        Assert.Equal(["dotnet", "OrleansRaft.Silo.dll"], stack.DockerfileOf(stack.Silos[0])!.Entrypoint);
        Assert.Equal(["dotnet", "OrleansRaft.Gateway.dll"], stack.DockerfileOf(stack.Gateways[0])!.Entrypoint);
        Assert.Equal("OrleansRaft.Silo.dll", Programs.SiloDll);
    }
}
