namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// Why a webhook was disabled, kept as data rather than as a sentence, so that every page and answer says it in its
/// own language (and a duration as words, never as a raw time span).
/// </summary>
/// <param name="FailedFor">How long every attempt had failed when it was disabled: the disable window (<see cref="EndpointHealthPolicy.DisableAfter"/>).</param>
public sealed record DisabledReason(TimeSpan FailedFor);
