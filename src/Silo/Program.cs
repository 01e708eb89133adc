using OrleansRaft.Silo;

return await SiloProgram.RunAsync(args);
