namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// With <c>Delivery:Proxy</c>, the address guard's judgement of the destination: the host of every delivery and token
/// call is resolved and judged before the request goes to the proxy, so that what is refused without the proxy is
/// refused with it, and the proxy never hears of it. (The proxy resolves the name again itself; see ADR 18.)
/// </summary>
internal sealed class ProxiedDestinationCheck(OutboundAddressGuard guard) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var host = request.RequestUri?.IdnHost ?? throw new InvalidOperationException("An outbound request has no absolute URI.");
        try
        {
            await guard.AllowedAddressesAsync(host, cancellationToken);
        }
        catch (BlockedAddressException e)
        {
            // As the handler reports a refused connect step, so that the attempt is recorded as blocked_address.
            throw new HttpRequestException(e.Message, e);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
