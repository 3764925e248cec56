using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb.Tests;

/// <summary>The declared columns carry typed accessors, which the DuckDB writer appends without boxing.</summary>
public sealed class TypedColumnsTests
{
    private static readonly Dictionary<ColumnType, Type[]> Expected = new()
    {
        [ColumnType.String] = [typeof(string)],
        [ColumnType.Numeric] = [typeof(decimal)],
        [ColumnType.Timestamp] = [typeof(DateTime)],
        [ColumnType.Date] = [typeof(DateOnly)],
        [ColumnType.Float64] = [typeof(double?)],
        [ColumnType.Int64] = [typeof(long)],
    };

    [Fact]
    public void Every_column_of_both_tables_is_declared_with_the_accessor_of_its_type()
    {
        AssertTyped(PipelineSchema.Transactions);
        AssertTyped(PipelineSchema.DeadLetters);
    }

    [Fact]
    public void The_typed_accessor_and_the_object_reader_give_the_same_value()
    {
        var row = Rows.Transaction("x", price: 12.34m);
        foreach (var column in PipelineSchema.Transactions.Columns)
        {
            Assert.Equal(column.GetValue(row), column.Accessor.DynamicInvoke(row));
        }
    }

    private static void AssertTyped<TRow>(TableSchema<TRow> table)
    {
        foreach (var column in table.Columns)
        {
            var returns = column.Accessor.Method.ReturnType;
            Assert.True(Expected[column.Type].Contains(returns), $"{table.Name}.{column.Name} returns {returns.Name}");
        }
    }
}
