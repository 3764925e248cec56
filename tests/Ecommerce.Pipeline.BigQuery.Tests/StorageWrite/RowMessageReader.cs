using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

/// <summary>
/// Reads a serialized row against the descriptor that was sent with it, as the service does: the descriptor is built
/// into a real <see cref="MessageDescriptor"/> by Google.Protobuf (so an invalid one fails here), each field is found by
/// its number and read by its declared type, and a wire type that does not match the declared type fails.
/// </summary>
internal static class RowMessageReader
{
    public static MessageDescriptor Build(DescriptorProto descriptor)
    {
        var file = new FileDescriptorProto { Name = "row.proto", Syntax = "proto2", MessageType = { descriptor.Clone() } };
        return FileDescriptor.BuildFromByteStrings([file.ToByteString()])[0].MessageTypes[0];
    }

    /// <summary>The row's fields by name: string, long, int or double; an absent field is not in the result.</summary>
    public static Dictionary<string, object> Read(MessageDescriptor message, ByteString row)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var input = new CodedInputStream(row.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = message.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag))
                        ?? throw new InvalidDataException($"Field number {WireFormat.GetTagFieldNumber(tag)} is not in the descriptor.");
            var (expected, value) = field.FieldType switch
            {
                FieldType.String => (WireFormat.WireType.LengthDelimited, (object)input.ReadString()),
                FieldType.Int64 => (WireFormat.WireType.Varint, input.ReadInt64()),
                FieldType.Int32 => (WireFormat.WireType.Varint, input.ReadInt32()),
                FieldType.Double => (WireFormat.WireType.Fixed64, input.ReadDouble()),
                _ => throw new InvalidDataException($"Unexpected field type {field.FieldType} for {field.Name}."),
            };
            if (WireFormat.GetTagWireType(tag) != expected)
            {
                throw new InvalidDataException($"{field.Name}: wire type {WireFormat.GetTagWireType(tag)}, declared {field.FieldType}.");
            }

            if (!values.TryAdd(field.Name, value))
            {
                throw new InvalidDataException($"{field.Name} appears twice.");
            }
        }

        return values;
    }
}
