namespace CleanWebhooks.Domain.Clients;

/// <summary>Identifies an integrator (a client of the platform).</summary>
public readonly record struct ClientId(Guid Value)
{
    public static ClientId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}

/// <summary>Identifies one API key of a client.</summary>
public readonly record struct ApiKeyId(Guid Value)
{
    public static ApiKeyId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}
