using Google.Protobuf.Reflection;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// Compares a proto file that states a subset of an API with the API's own files: every message (nested ones too),
/// field, enum value and rpc the subset has must exist upstream under the same full name with the same number, type,
/// label, type name, oneof, and for rpcs the same input, output and streaming. The subset may leave things out.
/// </summary>
internal static class ProtoSubsetComparer
{
    /// <summary>Every difference as "full name: what"; empty when the subset holds upstream.</summary>
    public static List<string> Differences(FileDescriptorProto subset, IEnumerable<FileDescriptorProto> upstream)
    {
        var messages = new Dictionary<string, DescriptorProto>(StringComparer.Ordinal);
        var enums = new Dictionary<string, EnumDescriptorProto>(StringComparer.Ordinal);
        var services = new Dictionary<string, ServiceDescriptorProto>(StringComparer.Ordinal);
        foreach (var file in upstream)
        {
            var prefix = "." + file.Package;
            Index(prefix, file.MessageType, file.EnumType, messages, enums);
            foreach (var service in file.Service)
            {
                services[$"{prefix}.{service.Name}"] = service;
            }
        }

        var differences = new List<string>();
        var scope = "." + subset.Package;
        CompareMessages(scope, subset.MessageType, messages, differences);
        CompareEnums(scope, subset.EnumType, enums, differences);
        foreach (var service in subset.Service)
        {
            var name = $"{scope}.{service.Name}";
            if (!services.TryGetValue(name, out var theirs))
            {
                differences.Add($"{name}: not upstream");
                continue;
            }

            foreach (var method in service.Method)
            {
                var other = theirs.Method.FirstOrDefault(m => m.Name == method.Name);
                if (other is null)
                {
                    differences.Add($"{name}.{method.Name}: not upstream");
                }
                else if ((method.InputType, method.OutputType, method.ClientStreaming, method.ServerStreaming)
                         != (other.InputType, other.OutputType, other.ClientStreaming, other.ServerStreaming))
                {
                    differences.Add($"{name}.{method.Name}: stated {Show(method)}, upstream {Show(other)}");
                }
            }
        }

        return differences;
    }

    private static string Show(MethodDescriptorProto m) =>
        $"({(m.ClientStreaming ? "stream " : "")}{m.InputType}) returns ({(m.ServerStreaming ? "stream " : "")}{m.OutputType})";

    private static void Index(string scope, IEnumerable<DescriptorProto> messages, IEnumerable<EnumDescriptorProto> enums,
        Dictionary<string, DescriptorProto> messageIndex, Dictionary<string, EnumDescriptorProto> enumIndex)
    {
        foreach (var e in enums)
        {
            enumIndex[$"{scope}.{e.Name}"] = e;
        }

        foreach (var message in messages)
        {
            var name = $"{scope}.{message.Name}";
            messageIndex[name] = message;
            Index(name, message.NestedType, message.EnumType, messageIndex, enumIndex);
        }
    }

    private static void CompareMessages(string scope, IEnumerable<DescriptorProto> stated, Dictionary<string, DescriptorProto> upstream, List<string> differences)
    {
        foreach (var message in stated)
        {
            var name = $"{scope}.{message.Name}";
            if (!upstream.TryGetValue(name, out var theirs))
            {
                differences.Add($"{name}: not upstream");
                continue;
            }

            foreach (var field in message.Field)
            {
                var other = theirs.Field.FirstOrDefault(f => f.Name == field.Name);
                if (other is null)
                {
                    differences.Add($"{name}.{field.Name}: not upstream");
                    continue;
                }

                var mine = (field.Number, field.Type, field.Label, field.TypeName, Oneof(message, field));
                var upstreamFacts = (other.Number, other.Type, other.Label, other.TypeName, Oneof(theirs, other));
                if (mine != upstreamFacts)
                {
                    differences.Add($"{name}.{field.Name}: stated {mine}, upstream {upstreamFacts}");
                }
            }

            CompareMessages(name, message.NestedType, upstream, differences);
            CompareEnums(name, message.EnumType, upstream: null, differences, theirs);
        }
    }

    private static string? Oneof(DescriptorProto message, FieldDescriptorProto field) =>
        field.HasOneofIndex && !field.Proto3Optional ? message.OneofDecl[field.OneofIndex].Name : null;

    private static void CompareEnums(string scope, IEnumerable<EnumDescriptorProto> stated, Dictionary<string, EnumDescriptorProto>? upstream,
        List<string> differences, DescriptorProto? parent = null)
    {
        foreach (var e in stated)
        {
            var name = $"{scope}.{e.Name}";
            var theirs = parent is not null ? parent.EnumType.FirstOrDefault(x => x.Name == e.Name) : upstream!.GetValueOrDefault(name);
            if (theirs is null)
            {
                differences.Add($"{name}: not upstream");
                continue;
            }

            foreach (var value in e.Value)
            {
                var other = theirs.Value.FirstOrDefault(v => v.Name == value.Name);
                if (other is null || other.Number != value.Number)
                {
                    differences.Add($"{name}.{value.Name} = {value.Number}: upstream {(other is null ? "has no such value" : other.Number)}");
                }
            }
        }
    }
}
