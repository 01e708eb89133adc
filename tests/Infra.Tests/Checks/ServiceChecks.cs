namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>compose.yaml's silos and gateway: real options only, addresses that reach each other, ports that match.</summary>
public static class ServiceChecks
{
    /// <summary>Every silo loads its options as the silo would; the silos agree on the voters, and each voter's address is that silo.</summary>
    public static IReadOnlyList<string> Silos(ComposeStack stack) => Problems.Collect(problems =>
    {
        var silos = stack.Silos;
        if (silos.Count < 3)
        {
            problems.Add($"compose.yaml runs {silos.Count} silos; a fault-tolerant group needs at least 3");
        }

        var loaded = new Dictionary<string, OrleansRaft.Silo.SiloOptions>();
        foreach (var silo in silos)
        {
            var (options, errors) = stack.SiloOptions(silo);
            problems.AddRange(errors.Select(e => $"silo service {silo.Name}: {e}"));
            if (options is not null)
            {
                loaded[silo.Name] = options;
            }
        }

        foreach (var group in loaded.GroupBy(pair => pair.Value.NodeId).Where(g => g.Count() > 1))
        {
            problems.Add($"services {string.Join(", ", group.Select(g => g.Key))} share node id {group.Key}");
        }

        var byNodeId = loaded.GroupBy(pair => pair.Value.NodeId).ToDictionary(g => g.Key, g => g.First().Key);
        foreach (var (name, options) in loaded)
        {
            if (Describe(options.Peers) != Describe(loaded.First().Value.Peers))
            {
                problems.Add($"silo service {name}: --peers {Describe(options.Peers)} differs from {loaded.First().Key}'s {Describe(loaded.First().Value.Peers)}");
            }

            if (options.ListenAddress.IsLoopback)
            {
                problems.Add($"silo service {name} listens on loopback {options.ListenAddress}: no other container can reach it");
            }

            foreach (var (id, address) in options.Peers)
            {
                if (!byNodeId.TryGetValue(id, out var peerService))
                {
                    problems.Add($"silo service {name}: --peers names node {id}, which no silo service runs");
                    continue;
                }

                var peer = stack.Compose.Services[peerService];
                if (address.Host != peer.Name && address.Host != peer.Hostname)
                {
                    problems.Add($"silo service {name}: node {id} is at {address}, but node {id} is service {peer.Name}");
                }

                if (address.Port != loaded[peerService].ListenAddress.Port)
                {
                    problems.Add($"silo service {name}: node {id} is at port {address.Port}, but service {peer.Name} listens on {loaded[peerService].ListenAddress.Port}");
                }
            }
        }
    });

    /// <summary>Every gateway loads its options as the gateway would, and its --silos is the silos' --peers.</summary>
    public static IReadOnlyList<string> Gateways(ComposeStack stack) => Problems.Collect(problems =>
    {
        if (stack.Gateways.Count == 0)
        {
            problems.Add("compose.yaml runs no gateway");
        }

        var peers = stack.Silos.Select(s => stack.SiloOptions(s).Options).OfType<OrleansRaft.Silo.SiloOptions>().FirstOrDefault()?.Peers;
        foreach (var gateway in stack.Gateways)
        {
            var (options, errors) = stack.GatewayOptions(gateway);
            problems.AddRange(errors.Select(e => $"gateway service {gateway.Name}: {e}"));
            if (options is null)
            {
                continue;
            }

            if (peers is not null && Describe(options.Silos) != Describe(peers))
            {
                problems.Add($"gateway service {gateway.Name}: --silos {Describe(options.Silos)} is not the silos' --peers {Describe(peers)}");
            }

            foreach (var url in options.Urls.Concat(options.H2Urls).Where(u => u.IsLoopback))
            {
                problems.Add($"gateway service {gateway.Name} serves on loopback {url}: a published port cannot reach it");
            }
        }
    });

    /// <summary>Published and EXPOSEd ports are ports the process listens on; no host port twice; a known stop.</summary>
    public static IReadOnlyList<string> Ports(ComposeStack stack) => Problems.Collect(problems =>
    {
        foreach (var service in stack.Compose.Services.Values)
        {
            if (stack.Silos.Contains(service) && stack.SiloOptions(service).Options is null
                || stack.Gateways.Contains(service) && stack.GatewayOptions(service).Options is null)
            {
                continue; // its options do not load: reported by Silos/Gateways, and its ports are unknown
            }

            var listening = stack.ListeningPorts(service);
            if (listening is null)
            {
                problems.Add($"service {service.Name}: the checks do not know what it listens on (add a rule to ComposeStack.ListeningPorts)");
                continue;
            }

            foreach (var port in service.Ports.Where(p => !listening.Contains(p.ContainerPort)))
            {
                problems.Add($"service {service.Name} publishes container port {port.ContainerPort}, but it listens on {Describe(listening)}");
            }

            foreach (var port in stack.DockerfileOf(service)?.ExposedPorts.Where(p => !listening.Contains(p)) ?? [])
            {
                problems.Add($"service {service.Name}: its Dockerfile EXPOSEs {port}, but it listens on {Describe(listening)}");
            }

            foreach (var port in service.Ports.Where(p => p.HostIp is not "127.0.0.1"))
            {
                problems.Add($"service {service.Name} publishes {port.ContainerPort} beyond 127.0.0.1 (Grafana has no login here; bind to 127.0.0.1)");
            }
        }

        foreach (var clash in stack.Compose.Services.Values.SelectMany(s => s.Ports.Where(p => p.HostPort is not null).Select(p => (s.Name, Port: p.HostPort!.Value))).GroupBy(p => p.Port).Where(g => g.Count() > 1))
        {
            problems.Add($"host port {clash.Key} is published by {string.Join(" and ", clash.Select(c => c.Name))}");
        }
    });

    /// <summary>depends_on and volumes name what exists; silos and gateways stop on SIGTERM with more time than their graceful stop takes.</summary>
    public static IReadOnlyList<string> Lifecycle(ComposeStack stack) => Problems.Collect(problems =>
    {
        foreach (var service in stack.Compose.Services.Values)
        {
            problems.AddRange(service.DependsOn.Where(d => !stack.Compose.Services.ContainsKey(d)).Select(d => $"service {service.Name} depends on {d}, which is no service"));
            problems.AddRange(service.Volumes.Where(v => !v.IsBind && !stack.Compose.NamedVolumes.Contains(v.Source)).Select(v => $"service {service.Name} mounts volume {v.Source}, which is not declared"));
            problems.AddRange(service.Volumes.Where(v => v.IsBind && !stack.Files.Exists(stack.Files.FromComposeDirectory(v.Source))).Select(v => $"service {service.Name} mounts {v.Source}, which does not exist"));
        }

        foreach (var (services, shutdown) in new[] { (stack.Silos, HostShutdown.Silo), (stack.Gateways, HostShutdown.Gateway) })
        {
            foreach (var service in services)
            {
                if (service.StopSignal is not (null or "SIGTERM"))
                {
                    problems.Add($"service {service.Name}: stop_signal {service.StopSignal}; the graceful stop starts on SIGTERM");
                }

                var grace = service.StopGracePeriod is { } text ? Durations.Parse(text) : TimeSpan.FromSeconds(10);
                if (grace <= shutdown)
                {
                    problems.Add($"service {service.Name}: stop_grace_period {grace.TotalSeconds}s is not above the host's shutdown timeout {shutdown.TotalSeconds}s");
                }
            }
        }
    });

    private static string Describe(IReadOnlySet<int> ports) => ports.Count == 0 ? "nothing" : string.Join(", ", ports.Order());

    private static string Describe(IReadOnlyDictionary<long, Uri> nodes) =>
        string.Join(",", nodes.OrderBy(n => n.Key).Select(n => $"{n.Key}={n.Value}"));
}
