// The integrator side of the seed page's example, for trying CleanWebhooks by hand:
//   POST /login                 answers {"access_token": ..., "expires_in": 3600} to username=root&password=root
//   any  /ocr_feedback/{id}     prints the delivery it receives (and checks its signature when
//                               WEBHOOK_SECRET holds the webhook's whsec_ secret)
// It listens on http://localhost:5000 unless told otherwise, as any ASP.NET Core app is: --urls on the command line,
// ASPNETCORE_URLS or Urls in the environment, or "Urls" in appsettings.json, e.g.
//   dotnet run --project samples/Receiver -- --urls http://localhost:5001
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls("http://localhost:5000");
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    Console.WriteLine($"Demo receiver on {string.Join(", ", addresses)}: POST /login, any /ocr_feedback/{{id}}");
});

app.MapPost("/login", (HttpRequest request) =>
    request.HasFormContentType && request.Form["username"] == "root" && request.Form["password"] == "root"
        ? Results.Json(new Dictionary<string, object> { ["access_token"] = "demo-token-" + Guid.NewGuid().ToString("N")[..8], ["expires_in"] = 3600 })
        : Results.Unauthorized());

app.Map("/ocr_feedback/{id}", async (string id, HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync();
    Console.WriteLine($"""
        {request.Method} {request.Path} (document {id})
          Authorization:     {request.Headers.Authorization}
          webhook-id:        {request.Headers["webhook-id"]}
          webhook-timestamp: {request.Headers["webhook-timestamp"]}
          webhook-signature: {request.Headers["webhook-signature"]}
          signature valid:   {SignatureValid(request, body)}
          body:              {body}
        """);
    return Results.Ok();
});

app.Run();

static string SignatureValid(HttpRequest request, string body)
{
    if (Environment.GetEnvironmentVariable("WEBHOOK_SECRET") is not { Length: > 6 } secret)
    {
        return "not checked (set WEBHOOK_SECRET)";
    }

    var key = Convert.FromBase64String(secret["whsec_".Length..]);
    var content = Encoding.UTF8.GetBytes($"{request.Headers["webhook-id"]}.{request.Headers["webhook-timestamp"]}.{body}");
    var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    return request.Headers["webhook-signature"].ToString().Split(' ').Contains(expected) ? "yes" : "NO";
}
