namespace Ecommerce.Pipeline.Core.Model;

/// <summary>Why a message was rejected. Declared in the order checks run (docs/contract.md, "Reason codes").</summary>
public enum DeadLetterReason
{
    MessageTooLarge,
    InvalidEncoding,
    MalformedJson,
    NotAnObject,
    MissingField,
    InvalidField,
    InvalidPrice,
    InvalidTimestamp,
    TimestampInFuture,
    TimestampTooOld,
    RejectedBySink,

    /// <summary>The transform itself failed on this message (a defect in the pipeline, not in the message).</summary>
    InternalError,
}

public static class DeadLetterReasons
{
    private static readonly string[] Codes =
    [
        "message_too_large",
        "invalid_encoding",
        "malformed_json",
        "not_an_object",
        "missing_field",
        "invalid_field",
        "invalid_price",
        "invalid_timestamp",
        "timestamp_in_future",
        "timestamp_too_old",
        "rejected_by_sink",
        "internal_error",
    ];

    /// <summary>The wire/table code of a reason, e.g. <c>malformed_json</c>.</summary>
    public static string ToCode(this DeadLetterReason reason) => Codes[(int)reason];

    /// <summary>All reason codes, in check order.</summary>
    public static IReadOnlyList<string> All => Codes;

    public static bool TryParse(string code, out DeadLetterReason reason)
    {
        var index = Array.IndexOf(Codes, code);
        reason = (DeadLetterReason)Math.Max(index, 0);
        return index >= 0;
    }
}
