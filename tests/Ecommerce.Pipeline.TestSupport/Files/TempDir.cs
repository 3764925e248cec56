namespace Ecommerce.Pipeline.TestSupport;

/// <summary>A fresh temporary directory for one test, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("pipeline-tests-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; a leftover temp directory is harmless.
        }
    }
}
