using CleanWebhooks.Bench;

// One executable, two roles: the harness itself, and the bare baseline server it starts as a child process.
return args.Contains(BaselineServer.Flag, StringComparer.Ordinal)
    ? await BaselineServer.RunAsync(args)
    : await BenchRunner.RunAsync(args);
