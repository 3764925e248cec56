using System.Security.Cryptography;
using System.Text;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>insertIds of a bounded length.</summary>
internal static class InsertIds
{
    /// <summary>
    /// The longest insertId sent as it is. The discovery document states no length for insertId; Kafka topic names
    /// may be 249 characters, so a dead letter's <c>topic:partition:offset</c> can be long, and a dedup key has no
    /// reason to be. Longer ids are sent as a digest of themselves: still one id per key, and never cut short into
    /// another key's id.
    /// </summary>
    public const int MaxLength = 128;

    public static string Bounded(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length <= MaxLength
            ? id
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }
}
