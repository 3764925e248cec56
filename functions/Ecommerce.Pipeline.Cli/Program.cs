using Ecommerce.Pipeline.Cli;

return await PipelineCli.RunAsync(args);
