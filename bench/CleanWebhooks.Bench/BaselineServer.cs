using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Bench;

/// <summary>
/// The baselines of the read and intake scenarios: a bare minimal-API app in its own process, built like the service
/// (WebApplication.CreateBuilder, server GC, logging at Warning), with no mediator, validation, authentication or
/// mapping. <c>GET</c> runs the service's webhook SELECT with Dapper on the service's own database file; <c>POST</c>
/// makes one durable single-row INSERT per transaction into a database file with the service's SQLite settings.
/// </summary>
internal static class BaselineServer
{
    public const string Flag = "--baseline-server";

    public const string ReadPath = "/baseline/webhooks";

    public const string InsertPath = "/baseline/document_events";

    public const string SettingsPath = "/baseline/settings";

    /// <summary>The HTTP ceiling of intake: the same JSON bound, 202, nothing stored.</summary>
    public const string CeilingPath = "/baseline/ceiling";

    /// <summary>The bare forwarder: 202, then the envelope posted to the receiver from an in-memory queue (nothing durable).</summary>
    public const string ForwardPath = "/baseline/forward";

    /// <summary>The forwarder's senders: the dispatcher's default <c>Delivery:MaxConcurrency</c>.</summary>
    public const int ForwarderConcurrency = 64;

    public const string ReadyPath = "/baseline/ready";

    /// <summary>The service's query (WebhookQueries, SQLite dialect), character for character.</summary>
    private const string GetWebhook =
        "SELECT id, client_id, name, type, method, headers, header_auth, url, authorization_redacted, authorization_url, " +
        "authorization_method, authorization_headers, authorization_response_token_attr, created_at, updated_at " +
        "FROM webhooks WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

    /// <summary>The shape of the service's <c>events</c> table, without its foreign key.</summary>
    private const string CreateInsertTable =
        "CREATE TABLE IF NOT EXISTS baseline_events (id TEXT NOT NULL PRIMARY KEY, client_id TEXT NOT NULL, document_id TEXT NOT NULL, " +
        "type INTEGER NOT NULL, data TEXT NULL, occurred_at TEXT NOT NULL);";

    private const string Insert =
        "INSERT INTO baseline_events (id, client_id, document_id, type, data, occurred_at) VALUES (@Id, @ClientId, @DocumentId, @Type, @Data, @OccurredAt);";

    /// <summary>Arguments: <c>--baseline-server --urls URL --read-db PATH --write-db PATH [--forward-to URL]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault()
            ?? throw new ArgumentException($"{Flag} needs {name}.");

        // The service opens SQLite the same way (Database.PrepareSqlite): foreign keys on, pooling on.
        var read = new SqliteConnectionStringBuilder { DataSource = Arg("--read-db"), ForeignKeys = true }.ToString();
        var write = new SqliteConnectionStringBuilder { DataSource = Arg("--write-db"), ForeignKeys = true }.ToString();
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        await using (var connection = new SqliteConnection(write))
        {
            await connection.OpenAsync();
            // As the service's migrator: WAL, kept in the file; synchronous stays at its default.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
            await connection.ExecuteAsync(CreateInsertTable);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls(Arg("--urls"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        app.MapGet(ReadyPath, () => Results.Ok());

        app.MapGet($"{ReadPath}/{{clientId:guid}}/{{id:guid}}", async (Guid clientId, Guid id, CancellationToken cancellationToken) =>
        {
            await using var connection = new SqliteConnection(read);
            await connection.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(
                new CommandDefinition(GetWebhook, new { Id = id, ClientId = clientId }, cancellationToken: cancellationToken));
            return row is null ? Results.NotFound() : Results.Ok(row);
        });

        app.MapPost(InsertPath, async (EventBody body, CancellationToken cancellationToken) =>
        {
            await using var connection = new SqliteConnection(write);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(Insert, new
            {
                Id = Guid.NewGuid(),
                body.ClientId,
                body.DocumentId,
                body.Type,
                Data = body.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data ? data.GetRawText() : null,
                OccurredAt = DateTimeOffset.UtcNow,
            }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return Results.Accepted();
        });

        app.MapPost(CeilingPath, (EventBody body) => Results.Accepted());

        var forwardTo = args.SkipWhile(a => a != "--forward-to").Skip(1).FirstOrDefault();
        if (forwardTo is not null)
        {
            var queue = Channel.CreateUnbounded<(EventBody Body, DateTimeOffset AcceptedAt)>();
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = ForwarderConcurrency, UseProxy = false };
            var http = new HttpClient(handler) { BaseAddress = new Uri(forwardTo), Timeout = TimeSpan.FromSeconds(15) };
            var senders = Enumerable.Range(0, ForwarderConcurrency).Select(_ => Task.Run(() => ForwardAsync(queue.Reader, http))).ToArray();
            app.Lifetime.ApplicationStopping.Register(() => queue.Writer.TryComplete());
            app.MapPost(ForwardPath, (EventBody body) =>
            {
                queue.Writer.TryWrite((body, DateTimeOffset.UtcNow));
                return Results.Accepted();
            });
        }

        app.MapGet(SettingsPath, async (CancellationToken cancellationToken) =>
        {
            await using var connection = new SqliteConnection(write);
            await connection.OpenAsync(cancellationToken);
            var journal = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode;", cancellationToken: cancellationToken));
            var synchronous = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA synchronous;", cancellationToken: cancellationToken));
            return Results.Ok(new SqliteSettings(journal ?? "", synchronous, SqliteConnectionVersion(connection)));
        });

        await app.RunAsync();
        return 0;
    }

    /// <summary>One of the forwarder's senders: the service's envelope, posted as the dispatcher would, nothing recorded.</summary>
    private static async Task ForwardAsync(ChannelReader<(EventBody Body, DateTimeOffset AcceptedAt)> queue, HttpClient http)
    {
        await foreach (var (body, acceptedAt) in queue.ReadAllAsync())
        {
            var documentId = body.DocumentId ?? "";
            var data = body.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } d ? d.GetRawText() : "null";
            var envelope = $"{{\"id\":{JsonSerializer.Serialize(documentId)},\"type\":{body.Type ?? 0},\"event\":\"document.finished\"," +
                $"\"clientId\":\"{body.ClientId}\",\"webhookId\":\"{Guid.Empty}\",\"deliveryId\":\"{Guid.NewGuid()}\"," +
                $"\"occurredAt\":\"{acceptedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)}\",\"data\":{data}}}";
            try
            {
                using var content = new StringContent(envelope, System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri("/hook/" + Uri.EscapeDataString(documentId), UriKind.Relative), content);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not durable by design: a lost envelope shows as a missing arrival in the bench.
            }
        }
    }

    private static string SqliteConnectionVersion(SqliteConnection connection) => connection.ServerVersion;

    /// <summary>The journal mode and <c>PRAGMA synchronous</c> (2 = FULL) that the baseline inserts ran with.</summary>
    internal sealed record SqliteSettings(string JournalMode, long Synchronous, string SqliteVersion)
    {
        public string SynchronousName => Synchronous switch
        {
            0 => "OFF",
            1 => "NORMAL",
            2 => "FULL",
            3 => "EXTRA",
            _ => Synchronous.ToString(CultureInfo.InvariantCulture),
        };
    }

    private sealed record EventBody(Guid? ClientId, string? DocumentId, int? Type, JsonElement? Data);

    /// <summary>The row as SQLite holds it: text stays text, nothing is parsed or mapped.</summary>
    private sealed class WebhookRow
    {
        public string Id { get; init; } = "";

        public string ClientId { get; init; } = "";

        public string Name { get; init; } = "";

        public long Type { get; init; }

        public string Method { get; init; } = "";

        public string Headers { get; init; } = "";

        public string? HeaderAuth { get; init; }

        public string Url { get; init; } = "";

        public string? AuthorizationRedacted { get; init; }

        public string? AuthorizationUrl { get; init; }

        public string? AuthorizationMethod { get; init; }

        public string? AuthorizationHeaders { get; init; }

        public string? AuthorizationResponseTokenAttr { get; init; }

        public string CreatedAt { get; init; } = "";

        public string UpdatedAt { get; init; } = "";
    }
}
