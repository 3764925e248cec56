using System.Runtime.InteropServices;
using DuckDB.NET.Native;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// DuckDB's <c>duckdb_statement_type</c> (C API, src/include/duckdb.h of duckdb/duckdb v1.5): what a prepared
/// statement will do, as DuckDB's own parser and binder see it.
/// </summary>
/// <remarks>
/// Declared here rather than taken from DuckDB.NET: its <c>DuckDBStatementType</c> has an extra <c>Show</c> member, so
/// from <c>PRAGMA</c> on its numbers are one off the C enum (SET would read as CALL). The values below are the C
/// API's; <c>QuerySandboxTests</c> checks them against the bundled library (SET, LOAD, ATTACH, CREATE, ...).
/// </remarks>
internal enum StatementKind
{
    Invalid = 0,
    Select = 1,
    Insert = 2,
    Update = 3,
    Explain = 4,
    Delete = 5,
    Prepare = 6,
    Create = 7,
    Execute = 8,
    Alter = 9,
    Transaction = 10,
    Copy = 11,
    Analyze = 12,
    VariableSet = 13,
    CreateFunc = 14,
    Drop = 15,
    Export = 16,
    Pragma = 17,
    Vacuum = 18,
    Call = 19,
    Set = 20,
    Load = 21,
    Relation = 22,
    Extension = 23,
    LogicalPlan = 24,
    Attach = 25,
    Detach = 26,
    Multi = 27,
}

internal static partial class StatementKinds
{
    /// <summary><c>duckdb_prepared_statement_type</c>: DuckDB.NET 1.5.6.1 does not bind it.</summary>
    public static StatementKind Of(DuckDBPreparedStatement prepared) => PreparedStatementType(prepared);

    // "duckdb" resolves to the libduckdb that DuckDB.NET.Bindings.Full ships (runtimes/*/native), as for DuckDB.NET.
    [LibraryImport("duckdb", EntryPoint = "duckdb_prepared_statement_type")]
    private static partial StatementKind PreparedStatementType(DuckDBPreparedStatement prepared);

    /// <summary>What a statement of this kind is, and why <c>pipeline query</c> does not run it; null when it may run.</summary>
    public static (string What, string Why)? Refusal(StatementKind kind) => kind switch
    {
        StatementKind.Select => null,
        StatementKind.Insert or StatementKind.Update or StatementKind.Delete or StatementKind.Alter or StatementKind.Drop
            or StatementKind.Vacuum or StatementKind.Analyze
            => (Name(kind), "it would change the warehouse, which query opens read-only"),
        StatementKind.Create or StatementKind.CreateFunc
            => ("CREATE (also of a temporary table or a macro)",
                "query reads only, and runs one statement per process, so nothing it created could be used; write a CTE (WITH) or a subquery instead"),
        StatementKind.Copy or StatementKind.Export => (Name(kind), "it writes files, and query reads only the warehouse"),
        StatementKind.Set or StatementKind.VariableSet or StatementKind.Pragma
            => (Name(kind), "query locks its settings (read-only, no external access, no extension loading) before your SQL runs"),
        StatementKind.Load or StatementKind.Extension => ("LOAD or INSTALL", "query loads no extensions"),
        StatementKind.Attach or StatementKind.Detach => (Name(kind), "query reads only the warehouse file"),
        _ => (Name(kind), "query runs a single query (SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE)"),
    };

    private static string Name(StatementKind kind) => kind switch
    {
        StatementKind.Set => "SET, RESET, USE (or a PRAGMA that sets a value)",
        StatementKind.VariableSet => "SET VARIABLE",
        StatementKind.Pragma => "this PRAGMA",
        StatementKind.Export => "EXPORT DATABASE",
        StatementKind.Vacuum => "VACUUM or ANALYZE",
        StatementKind.Transaction => "a transaction statement (BEGIN, COMMIT, ROLLBACK)",
        StatementKind.Call => "CALL (also CHECKPOINT)",
        _ => kind.ToString().ToUpperInvariant(),
    };
}
