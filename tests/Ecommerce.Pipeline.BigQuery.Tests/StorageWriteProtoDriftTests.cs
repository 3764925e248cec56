using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Ecommerce.Pipeline.TestSupport.Contracts;
using Google.Protobuf.Reflection;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The project's Storage Write subset (StorageWrite/storage_write.proto, as compiled into the BigQuery assembly)
/// against Google's own protos: those are compiled here with the protoc that ships in the Grpc.Tools package, with
/// their imports from Google.Api.CommonProtos and protoc's well-known types, into a FileDescriptorSet.
/// </summary>
public sealed class StorageWriteProtoDriftTests
{
    private const string Folder = "bigquery/storage-v1";
    private const string What = "Google's BigQuery Storage v1 protos, e.g. from npm pack @google-cloud/bigquery-storage@5.1.2, build/protos/google/cloud/bigquery/storage/v1";

    private static FileDescriptorProto Subset => FileDescriptorProto.Parser.ParseFrom(StorageWriteReflection.Descriptor.SerializedData);

    [UpstreamFact(Folder + "/storage.proto", What)]
    [Trait("Category", "Integration")]
    public void The_subset_holds_upstream_field_by_field()
    {
        var upstream = CompileUpstream(Path.GetDirectoryName(UpstreamContracts.Require(Folder + "/storage.proto", What))!);

        Assert.Empty(ProtoSubsetComparer.Differences(Subset, upstream));
        // The comparison saw the real thing: the service and the messages the sink relies on are upstream.
        Assert.Contains(upstream, f => f.Service.Any(s => s.Name == "BigQueryWrite"));
    }

    [Fact]
    public void The_comparer_finds_a_changed_field_number_type_enum_value_and_streaming()
    {
        var subset = Subset;
        Assert.Empty(ProtoSubsetComparer.Differences(subset, [subset]));

        var changed = subset.Clone();
        changed.MessageType.First(m => m.Name == "AppendRowsRequest").Field.First(f => f.Name == "offset").Number = 3;
        changed.MessageType.First(m => m.Name == "ProtoRows").Field[0].Type = FieldDescriptorProto.Types.Type.String;
        changed.MessageType.First(m => m.Name == "StorageError").EnumType[0].Value.First(v => v.Name == "OFFSET_ALREADY_EXISTS").Number = 7;
        changed.Service[0].Method.First(m => m.Name == "AppendRows").ClientStreaming = false;
        changed.MessageType.First(m => m.Name == "AppendRowsResponse").NestedType[0].Field.Add(new FieldDescriptorProto { Name = "invented", Number = 9 });

        var differences = ProtoSubsetComparer.Differences(changed, [subset]);

        Assert.Collection(differences.Order(StringComparer.Ordinal),
            d => Assert.StartsWith(".google.cloud.bigquery.storage.v1.AppendRowsRequest.offset: stated (3,", d, StringComparison.Ordinal),
            d => Assert.StartsWith(".google.cloud.bigquery.storage.v1.AppendRowsResponse.AppendResult.invented: not upstream", d, StringComparison.Ordinal),
            d => Assert.StartsWith(".google.cloud.bigquery.storage.v1.BigQueryWrite.AppendRows: stated", d, StringComparison.Ordinal),
            d => Assert.StartsWith(".google.cloud.bigquery.storage.v1.ProtoRows.serialized_rows: stated (1, String", d, StringComparison.Ordinal),
            d => Assert.StartsWith(".google.cloud.bigquery.storage.v1.StorageError.StorageErrorCode.OFFSET_ALREADY_EXISTS = 7: upstream 8", d, StringComparison.Ordinal));
    }

    /// <summary>protoc --include_imports --descriptor_set_out over a temp copy laid out as google/cloud/bigquery/storage/v1.</summary>
    private static List<FileDescriptorProto> CompileUpstream(string upstreamFolder)
    {
        var tools = Metadata("GrpcToolsPath");
        var protoc = Path.Combine(tools, "tools", ProtocPlatform(), OperatingSystem.IsWindows() ? "protoc.exe" : "protoc");
        Assert.True(File.Exists(protoc), $"protoc not found at {protoc} (it comes with the Grpc.Tools package; restore the test project)");
        var work = Directory.CreateTempSubdirectory("storage-proto-drift");
        try
        {
            var package = Path.Combine(work.FullName, "src", "google", "cloud", "bigquery", "storage", "v1");
            Directory.CreateDirectory(package);
            foreach (var proto in Directory.GetFiles(upstreamFolder, "*.proto"))
            {
                File.Copy(proto, Path.Combine(package, Path.GetFileName(proto)));
            }

            var output = Path.Combine(work.FullName, "upstream.pb");
            var start = new ProcessStartInfo(protoc) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[]
                     {
                         "--include_imports", $"--descriptor_set_out={output}",
                         $"-I{Path.Combine(work.FullName, "src")}",
                         $"-I{Path.Combine(Metadata("CommonProtosPath"), "content", "protos")}",
                         $"-I{Path.Combine(tools, "build", "native", "include")}",
                         "google/cloud/bigquery/storage/v1/storage.proto",
                     })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "protoc did not finish in a minute");
            Assert.True(process.ExitCode == 0, $"protoc failed: {errors.Result}");
            return [.. FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(output)).File];
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Metadata(string key) =>
        typeof(StorageWriteProtoDriftTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is empty");

    /// <summary>Grpc.Tools' folder names per platform (tools/linux_x64, tools/macosx_x64, tools/windows_x64, …).</summary>
    private static string ProtocPlatform()
    {
        var os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macosx" : "linux";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        return $"{os}_{arch}";
    }
}
