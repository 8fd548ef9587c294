using System.Net;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>
/// The database on a 4 MB tmpfs, filled up for real by a file the test writes: intake and registration answer 503
/// with Retry-After (never 500, never 202 without a commit), readiness 503; once the file is deleted the service
/// recovers by itself and every event it acknowledged with 202 reaches the receiver on 127.0.0.1.
/// </summary>
[Collection(StorageFaults.Name)]
public sealed class DiskFullTests : DeliveryFixture
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tmpfs", Guid.NewGuid().ToString("N"));

    public DiskFullTests()
    {
        Factory.Settings["ConnectionStrings:CleanWebhooks"] = $"Data Source={Path.Combine(_mount, "cleanwebhooks.db")}";
        Factory.Settings["Database:BusyTimeout"] = "00:00:01";
    }

    public override async Task InitializeAsync()
    {
        TmpfsFactAttribute.Mount(_mount, "4m");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TmpfsFactAttribute.Unmount(_mount);
    }

    [TmpfsFact]
    public async Task DiskFull_IntakeAndRegistration_Answer503ThenRecoverAndDeliverEvery202()
    {
        using var a = await Factory.CreateIntegratorAsync("A");
        using var b = await Factory.CreateIntegratorAsync("B, registering during the fault");
        await a.CreateWebhookAsync(Receiver.Url("/a/:id"));
        var accepted = new List<string>();
        var sequence = 0;
        async Task<Answer> Report()
        {
            var document = $"doc-{sequence++}";
            var answer = await Factory.TryReportAsync(a.ClientId, document);
            Assert.True(answer.Status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{document}: {(int)answer.Status} {answer.Body}");
            if (answer.Status == HttpStatusCode.Accepted)
            {
                accepted.Add(document);
            }

            return answer;
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Report()).Status);
        }

        var filler = Path.Combine(_mount, "filler");
        FillDisk(filler);

        Answer? refused = null;
        await StoredRows.WaitUntilAsync(async () => (refused = await Report()).Status == HttpStatusCode.ServiceUnavailable, "intake refused on the full disk");
        refused!.AssertStorageUnavailable("intake on a full disk");
        (await Report()).AssertStorageUnavailable("intake on a full disk, again");
        (await b.TryCreateWebhookAsync(Receiver.Url("/b/:id"))).AssertStorageUnavailable("webhook registration on a full disk");
        (await Factory.CreateClientAsync("C")).AssertStorageUnavailable("client registration on a full disk");
        await StoredRows.WaitUntilAsync(async () => await Factory.ReadyAsync() == HttpStatusCode.ServiceUnavailable, "ready 503 on a full disk");

        File.Delete(filler);
        await StoredRows.WaitUntilAsync(async () => await Factory.ReadyAsync() == HttpStatusCode.OK, "ready 200 once space is back");
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Report()).Status);
        }

        Assert.Equal(HttpStatusCode.OK, (await b.TryCreateWebhookAsync(Receiver.Url("/b/:id"))).Status);
        await Receiver.WaitForAsync(accepted.Count, TimeSpan.FromSeconds(90));
        await StoredRows.WaitUntilAsync(
            () => Task.FromResult(accepted.All(d => Receiver.Requests.Any(r => r.Path == $"/a/{d}"))), "every 202 delivered", TimeSpan.FromSeconds(90));

        // The WAL gave its space back: recovery does not fill the disk again.
        var wal = new FileInfo(Path.Combine(_mount, "cleanwebhooks.db-wal"));
        Assert.True(!wal.Exists || wal.Length <= 2 * 1024 * 1024, $"WAL of {wal.Length} bytes after recovery.");
    }

    /// <summary>Writes zeros until the file system refuses (ENOSPC).</summary>
    private static void FillDisk(string path)
    {
        var chunk = new byte[16 * 1024];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full.
        }

        // Whatever is left is smaller than a chunk: take it too.
        try
        {
            while (true)
            {
                stream.Write(chunk, 0, 512);
            }
        }
        catch (IOException)
        {
            // Full to the block.
        }
    }
}

/// <summary>
/// Another connection holds the database's write lock (<c>BEGIN IMMEDIATE</c> on the same file): writes answer 503
/// with Retry-After after <c>Database:BusyTimeout</c> (1 s here), readiness 503, reads go on; once the lock is
/// released the service recovers by itself and every 202 is delivered.
/// </summary>
[Collection(StorageFaults.Name)]
public sealed class DatabaseLockTests : DeliveryFixture
{
    public DatabaseLockTests() => Factory.Settings["Database:BusyTimeout"] = "00:00:01";

    [Fact]
    public async Task LockHeldByAnotherConnection_Writes_Answer503ThenRecoverAndDeliverEvery202()
    {
        using var a = await Factory.CreateIntegratorAsync("A");
        var webhook = (await a.CreateWebhookAsync(Receiver.Url("/a/:id"))).Id();
        var accepted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Factory.TryReportAsync(a.ClientId, $"before-{i}")).Status);
            accepted.Add($"before-{i}");
        }

        await Receiver.WaitForAsync(3);
        await using (var held = await HeldDatabaseLock.TakeAsync(Factory.DatabasePath))
        {
            (await Factory.TryReportAsync(a.ClientId, "during")).AssertStorageUnavailable("intake under a held lock");
            var portuguese = await Factory.TryReportAsync(a.ClientId, "during-pt", "pt-BR");
            portuguese.AssertStorageUnavailable("intake under a held lock, in Portuguese");
            Assert.Contains("armazenamento", portuguese.Body, StringComparison.Ordinal);
            (await Factory.CreateClientAsync("B")).AssertStorageUnavailable("client registration under a held lock");
            await StoredRows.WaitUntilAsync(async () => await Factory.ReadyAsync() == HttpStatusCode.ServiceUnavailable, "ready 503 under a held lock");

            // Reads do not need the write lock (WAL): they go on.
            using var read = await a.Http.GetAsync(new Uri($"/api_document/document_webhooks/{webhook}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);

            await held.ReleaseAsync();
        }

        await StoredRows.WaitUntilAsync(async () => await Factory.ReadyAsync() == HttpStatusCode.OK, "ready 200 once the lock is released");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Factory.TryReportAsync(a.ClientId, $"after-{i}")).Status);
            accepted.Add($"after-{i}");
        }

        await StoredRows.WaitUntilAsync(
            () => Task.FromResult(accepted.All(d => Receiver.Requests.Any(r => r.Path == $"/a/{d}"))), "every 202 delivered", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(Receiver.Requests, r => r.Path is "/a/during" or "/a/during-pt");
    }
}

/// <summary>
/// Tests that hold the database's lock or fill its disk and time the answers: one at a time, since a writer waiting on
/// SQLite's lock sleeps a thread (Microsoft.Data.Sqlite's busy loop), and two such services side by side in one test
/// process starve the thread pool of its two threads and make each other's timings meaningless.
/// </summary>
[CollectionDefinition(Name)]
public sealed class StorageFaults
{
    public const string Name = "Storage faults";
}
