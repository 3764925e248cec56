namespace Ecommerce.Pipeline.Cli.Tests;
