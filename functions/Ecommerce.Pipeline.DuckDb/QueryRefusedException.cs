namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// SQL that a sandboxed query session does not run (<see cref="DuckDbQueryRunner.OpenSandbox"/>): more than one
/// statement, a statement that is not a query, or one that reaches outside the warehouse. The message says what was
/// refused and why, in one line.
/// </summary>
public sealed class QueryRefusedException : Exception
{
    public QueryRefusedException()
    {
    }

    public QueryRefusedException(string message) : base(message)
    {
    }

    public QueryRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
