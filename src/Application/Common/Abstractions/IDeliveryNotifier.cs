namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>Wakes the local dispatcher when a delivery became due, so it is sent in milliseconds rather than at the next poll.</summary>
public interface IDeliveryNotifier
{
    void DeliveryDue();
}
