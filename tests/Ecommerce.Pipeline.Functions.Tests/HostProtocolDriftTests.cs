using System.Reflection;
using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Ecommerce.Pipeline.Functions.Tests;

/// <summary>
/// The conformance test's own statement of the protocol (tests/Ecommerce.Pipeline.FunctionsHost.StandIn/host_protocol.proto) against the protocol the
/// worker speaks: the FunctionRpc descriptor compiled into Microsoft.Azure.Functions.Worker.Grpc, the package the
/// app references, read from its generated <c>FunctionRpcReflection.Descriptor</c>.
/// </summary>
/// <remarks>
/// Checked against the worker's descriptor rather than the upstream .proto file: it needs no file from outside the
/// repository, always runs, and is the exact contract of the worker version under test (the worker's copy of the
/// protocol adds fields to the upstream file; a subset of the worker's is what the conformance test needs). Every
/// message, field (name, number, type, label, map, oneof, message or enum type), enum value and the service method
/// stated here must exist upstream unchanged; the statement may leave messages, fields and values out.
/// </remarks>
public sealed class HostProtocolDriftTests
{
    private const string WorkerMessagesType = "Microsoft.Azure.Functions.Worker.Grpc.Messages.FunctionRpcReflection";

    [Fact]
    public void Every_stated_message_field_and_enum_value_is_in_the_workers_protocol()
    {
        var differences = Differences(HostProtocolReflection.Descriptor, WorkerDescriptor());

        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    [Fact]
    public void The_statement_covers_the_messages_the_conformance_test_exchanges()
    {
        var stated = HostProtocolReflection.Descriptor.MessageTypes.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal)
        {
            "StreamingMessage", "StartStream", "WorkerInitRequest", "WorkerInitResponse", "FunctionsMetadataRequest",
            "FunctionMetadataResponse", "FunctionLoadRequest", "FunctionLoadResponse", "InvocationRequest",
            "InvocationResponse", "RetryContext", "RpcTraceContext", "TypedData", "WorkerTerminate", "RpcRetryOptions",
        }, stated);
    }

    [Fact]
    public void A_changed_field_number_type_or_enum_value_is_reported()
    {
        // The comparison itself must see drift: a statement that moved a field, changed a type and renumbered a value.
        var probe = new FileDescriptorProto { Name = "drift_probe.proto", Package = "AzureFunctionsRpcMessages", Syntax = "proto3" };
        var start = new DescriptorProto { Name = "StartStream" };
        start.Field.Add(Field("worker_id", 3, FieldDescriptorProto.Types.Type.String));
        var retry = new DescriptorProto { Name = "RetryContext" };
        retry.Field.Add(Field("retry_count", 1, FieldDescriptorProto.Types.Type.Int64));
        var status = new DescriptorProto { Name = "StatusResult" };
        var values = new EnumDescriptorProto { Name = "Status" };
        values.Value.Add(new EnumValueDescriptorProto { Name = "Failure", Number = 0 });
        values.Value.Add(new EnumValueDescriptorProto { Name = "Success", Number = 2 });
        status.EnumType.Add(values);
        probe.MessageType.Add(start);
        probe.MessageType.Add(retry);
        probe.MessageType.Add(status);
        var stated = FileDescriptor.BuildFromByteStrings([probe.ToByteString()]).Single();

        var differences = Differences(stated, WorkerDescriptor());

        Assert.Equal(
            ["StartStream.worker_id: number stated 3, upstream 2", "RetryContext.retry_count: type stated Int64, upstream Int32",
                "AzureFunctionsRpcMessages.StatusResult.Status.Success: value stated 2, upstream 1"],
            differences);
    }

    internal static List<string> Differences(FileDescriptor stated, FileDescriptor upstream)
    {
        var differences = new List<string>();
        if (stated.Package != upstream.Package)
        {
            differences.Add($"package: stated {stated.Package}, upstream {upstream.Package}");
        }

        var upstreamMessages = AllMessages(upstream.MessageTypes).ToDictionary(m => m.FullName, StringComparer.Ordinal);
        var upstreamEnums = upstream.EnumTypes.Concat(upstreamMessages.Values.SelectMany(m => m.EnumTypes))
            .ToDictionary(e => e.FullName, StringComparer.Ordinal);
        foreach (var service in stated.Services)
        {
            var theirs = upstream.Services.SingleOrDefault(s => s.FullName == service.FullName);
            foreach (var method in service.Methods)
            {
                var other = theirs?.FindMethodByName(method.Name);
                if (other is null || other.IsClientStreaming != method.IsClientStreaming || other.IsServerStreaming != method.IsServerStreaming
                    || other.InputType.FullName != method.InputType.FullName || other.OutputType.FullName != method.OutputType.FullName)
                {
                    differences.Add($"{method.FullName}: not upstream with the same streaming and message types");
                }
            }
        }

        foreach (var message in AllMessages(stated.MessageTypes))
        {
            if (!upstreamMessages.TryGetValue(message.FullName, out var theirs))
            {
                differences.Add($"{message.FullName}: not upstream");
                continue;
            }

            foreach (var field in message.Fields.InDeclarationOrder())
            {
                var other = theirs.FindFieldByName(field.Name);
                var at = $"{message.Name}.{field.Name}";
                if (other is null)
                {
                    differences.Add($"{at}: not upstream");
                    continue;
                }

                Compare(differences, at, "number", field.FieldNumber, other.FieldNumber);
                Compare(differences, at, "type", field.FieldType, other.FieldType);
                Compare(differences, at, "repeated", field.IsRepeated, other.IsRepeated);
                Compare(differences, at, "map", field.IsMap, other.IsMap);
                Compare(differences, at, "oneof", field.RealContainingOneof?.Name, other.RealContainingOneof?.Name);
                Compare(differences, at, "message type", TypeName(field), TypeName(other));
            }

            foreach (var enumType in message.EnumTypes)
            {
                CompareEnum(differences, enumType, upstreamEnums.GetValueOrDefault(enumType.FullName));
            }
        }

        foreach (var enumType in stated.EnumTypes)
        {
            CompareEnum(differences, enumType, upstreamEnums.GetValueOrDefault(enumType.FullName));
        }

        return differences;
    }

    private static void CompareEnum(List<string> differences, EnumDescriptor stated, EnumDescriptor? upstream)
    {
        if (upstream is null)
        {
            differences.Add($"{stated.FullName}: not upstream");
            return;
        }

        foreach (var value in stated.Values)
        {
            Compare(differences, $"{stated.FullName}.{value.Name}", "value", value.Number, upstream.FindValueByName(value.Name)?.Number);
        }
    }

    private static void Compare<T>(List<string> differences, string at, string what, T stated, T upstream)
    {
        if (!EqualityComparer<T>.Default.Equals(stated, upstream))
        {
            differences.Add($"{at}: {what} stated {stated}, upstream {upstream}");
        }
    }

    // Map entries and nested messages are compared by their full names (the package is the same on both sides).
    private static string? TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => field.MessageType.FullName,
        FieldType.Enum => field.EnumType.FullName,
        _ => null,
    };

    private static IEnumerable<MessageDescriptor> AllMessages(IEnumerable<MessageDescriptor> messages) =>
        messages.SelectMany(m => new[] { m }.Concat(AllMessages(m.NestedTypes.Where(n => !n.GetOptions()?.MapEntry ?? true))));

    private static FieldDescriptorProto Field(string name, int number, FieldDescriptorProto.Types.Type type) =>
        new() { Name = name, Number = number, Type = type, Label = FieldDescriptorProto.Types.Label.Optional, JsonName = name };

    private static FileDescriptor WorkerDescriptor()
    {
        var assembly = Assembly.Load("Microsoft.Azure.Functions.Worker.Grpc");
        var reflection = assembly.GetType(WorkerMessagesType, throwOnError: true)!;
        var descriptor = reflection.GetProperty("Descriptor")!.GetValue(null);
        return Assert.IsType<FileDescriptor>(descriptor);
    }
}
