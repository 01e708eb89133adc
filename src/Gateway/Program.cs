using OrleansRaft.Gateway;

return await GatewayProgram.RunAsync(args);
