namespace Ecommerce.Pipeline.Deploy.Tests;
