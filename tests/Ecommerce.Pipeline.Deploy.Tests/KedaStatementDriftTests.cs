using System.Text.Json.Nodes;
using Ecommerce.Pipeline.TestSupport.Contracts;

namespace Ecommerce.Pipeline.Deploy.Tests;

/// <summary>
/// The statements in tests/contracts/keda against KEDA's CustomResourceDefinitions themselves: group, kind and
/// version, and every property, type, format, enum value, bound and required list they state, identical upstream.
/// </summary>
public sealed class KedaStatementDriftTests
{
    private const string ScaledObjects = "keda/keda.sh_scaledobjects.yaml";
    private const string TriggerAuthentications = "keda/keda.sh_triggerauthentications.yaml";
    private const string What = "KEDA's CustomResourceDefinitions from kedacore/keda, config/crd/bases";

    [UpstreamFact(ScaledObjects, What)]
    public void The_ScaledObject_statement_is_upstream_unchanged() =>
        AssertNoDrift(KedaSchemaTests.ScaledObjectStatement, ScaledObjects);

    [UpstreamFact(TriggerAuthentications, What)]
    public void The_TriggerAuthentication_statement_is_upstream_unchanged() =>
        AssertNoDrift(KedaSchemaTests.TriggerAuthenticationStatement, TriggerAuthentications);

    private static void AssertNoDrift(string statementFile, string upstreamFile)
    {
        var statement = CrdSchema.ReadStatement(UpstreamContracts.Statement(statementFile));
        var crd = CrdSchema.ReadCrd(UpstreamContracts.Require(upstreamFile, What));
        var version = (string)statement["version"]!;

        var differences = StatementDrift.Differences(statement["group"], crd["spec"]!["group"], "group");
        differences.AddRange(StatementDrift.Differences(statement["kind"], crd["spec"]!["names"]!["kind"], "kind"));
        differences.AddRange(CrdSchema.VersionSchema(crd, version) is { } schema
            ? StatementDrift.Differences(statement["openAPIV3Schema"], schema, $"{version}/openAPIV3Schema")
            : [$"version {version}: not upstream"]);

        Assert.True(differences.Count == 0, $"{statementFile} differs from {upstreamFile}:\n{string.Join('\n', differences)}");
    }
}
