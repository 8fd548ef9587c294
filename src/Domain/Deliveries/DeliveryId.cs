namespace CleanWebhooks.Domain.Deliveries;

/// <summary>Identifies a delivery; sent as <c>webhook-id</c>, the same on every retry, so receivers can dedupe.</summary>
public readonly record struct DeliveryId(Guid Value)
{
    public static DeliveryId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}

/// <summary>Identifies a reported document event.</summary>
public readonly record struct EventId(Guid Value)
{
    public static EventId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}
