using System.Diagnostics;

namespace Pipeline.Tests.Shared.Servers;

/// <summary>
/// One of the repository's throw-away server scripts (<c>scripts/&lt;name&gt;-test-server.sh start|stop|kill|… DIR</c>),
/// run for a test's private server: found above the test's output directory, failing with the script's
/// own words when it fails.
/// </summary>
internal sealed class ServerScript(string name)
{
    private readonly string _path = Find($"{name}-test-server.sh");

    public async Task RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(_path);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(_path)} {string.Join(' ', args)} failed: {await error}{await output}");
        }
    }

    /// <summary>A loopback port free now, below the ephemeral range (so the OS does not hand it out meanwhile), like the scripts pick.</summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
            finally
            {
                listener.Stop();
            }
        }

        throw new InvalidOperationException("No free loopback port for a private test server.");
    }

    private static string Find(string script)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", script);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"scripts/{script} not found above " + AppContext.BaseDirectory);
    }
}
