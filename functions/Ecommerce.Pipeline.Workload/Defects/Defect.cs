namespace Ecommerce.Pipeline.Workload.Defects;

/// <summary>Where the one thing wrong with a message sits.</summary>
internal enum DefectField : byte
{
    None,
    /// <summary>An enormous line-item list (too large).</summary>
    Items,
    /// <summary>A customer note whose bytes are not UTF-8.</summary>
    Note,
    /// <summary>The object is left open for garbage to follow.</summary>
    OpenEnd,
    Missing,
    Invalid,
    Price,
    Timestamp,
    Future,
    TooOld,
}

/// <summary>
/// At most one thing wrong with a message; <c>default</c> is a valid one. For <see cref="DefectField.Missing"/>,
/// Variant = field × 4 + how (see <see cref="FieldDefects.WriteMissing"/>); for <see cref="DefectField.Invalid"/>,
/// Variant = id field × <see cref="Garbage.BadIdKinds"/> + kind, or past the ids an index into
/// <see cref="Garbage.BadCurrencies"/>.
/// </summary>
internal readonly record struct Defect(DefectField Field, int Variant)
{
    public const int FieldTransactionId = 0;
    public const int FieldUserId = 1;
    public const int FieldProductId = 2;
    public const int FieldPrice = 3;
    public const int FieldTimestamp = 4;

    /// <summary>The field that is missing (absent, null, empty or blank), or -1.</summary>
    public int MissingField => Field == DefectField.Missing ? Variant / 4 : -1;

    /// <summary>The id field that has a wrong value, or -1.</summary>
    public int InvalidId => Field == DefectField.Invalid && Variant < 3 * Garbage.BadIdKinds ? Variant / Garbage.BadIdKinds : -1;

    /// <summary>The currency field is the wrong one (the price itself is fine).</summary>
    public bool InvalidCurrency => Field == DefectField.Invalid && InvalidId < 0;
}
