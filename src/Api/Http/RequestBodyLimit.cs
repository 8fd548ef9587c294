using Microsoft.AspNetCore.Http.Metadata;

namespace CleanWebhooks.Api.Http;

/// <summary>
/// Caps request bodies at 64 KB for every server (Kestrel's own limit is per server, and the test server has
/// none), or at the endpoint's own <see cref="IRequestSizeLimitMetadata"/> (the batch intake's 8 MB): a declared
/// length over the cap is refused up front, a chunked body when it crosses the cap. A body in a
/// charset other than UTF-8 is refused too (415): JSON is UTF-8, and the framework fails on unknown charsets.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next)
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>The cap of the batch intake, the one endpoint allowed more.</summary>
    public const int BatchMaxBytes = 8 * 1024 * 1024;

    private static readonly object LimitKey = new();

    /// <summary>The cap that holds for this request: the endpoint's own, or <see cref="MaxBytes"/>.</summary>
    public static long LimitOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(LimitKey, out var limit) && limit is long value ? value : MaxBytes;
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var maxBytes = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxBytes;
        context.Items[LimitKey] = maxBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }

        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            && mediaType.Charset.HasValue
            && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException("Unsupported charset.", StatusCodes.Status415UnsupportedMediaType);
        }

        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = maxBytes;
        }
        else if (context.Request.ContentLength is null)
        {
            context.Request.Body = new LimitedStream(context.Request.Body, maxBytes);
        }

        return next(context);
    }

    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge) : read;
        }
    }
}
