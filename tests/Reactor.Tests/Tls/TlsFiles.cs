using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tls;

/// <summary>
/// The test certificates as PEM files in a temporary directory, for programs that read files (the samples, openssl,
/// Twisted): the CA, and pairs for the valid, expired, wrong-name and untrusted server certificates. Deleted on dispose.
/// </summary>
public sealed class TlsFiles : IDisposable
{
    public TlsFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("reactor-tls-").FullName;
        Ca = TestCertificates.WriteCaPem(Directory);
        Server = TestCertificates.WritePem(TestCertificates.Server, Directory, "server");
        Expired = TestCertificates.WritePem(TestCertificates.Expired, Directory, "expired");
        WrongName = TestCertificates.WritePem(TestCertificates.WrongName, Directory, "wrong-name");
        Untrusted = TestCertificates.WritePem(TestCertificates.Untrusted, Directory, "untrusted");
    }

    public string Directory { get; }

    /// <summary>The CA that signed <see cref="Server"/>, <see cref="Expired"/> and <see cref="WrongName"/>.</summary>
    public string Ca { get; }

    public (string Certificate, string Key) Server { get; }

    public (string Certificate, string Key) Expired { get; }

    public (string Certificate, string Key) WrongName { get; }

    public (string Certificate, string Key) Untrusted { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>openssl as a peer: its s_client moving binary data through its stdin and stdout, and whether it can speak TLS 1.0.</summary>
public static class OpenSsl
{
    private static readonly Lazy<bool> s_tls10 = new(() =>
    {
        if (ExternalProgram.Find("openssl") is null)
        {
            return false;
        }

        // Any cipher for TLS 1.0 at security level 0 means this OpenSSL still speaks it (3.x does only there).
        using var probe = SampleProcess.Start("openssl", ["ciphers", "-s", "-tls1", Tls10Ciphers]);
        return probe.WaitForExit(TimeSpan.FromSeconds(30)) == 0 && probe.Stdout.Any(l => l.Contains("SHA", StringComparison.Ordinal));
    });

    /// <summary>The cipher string that lets OpenSSL 3 use TLS 1.0 (it needs security level 0).</summary>
    public const string Tls10Ciphers = "DEFAULT:@SECLEVEL=0";

    public static bool CanSpeakTls10 => s_tls10.Value;

    /// <summary>
    /// Runs <c>openssl s_client -quiet -nocommands -no_ign_eof</c> with <paramref name="arguments"/>: <paramref name="size"/> random
    /// bytes go to its stdin, what it prints on stdout is read until as many bytes came back (or it ended), then its stdin
    /// is closed, so it sends close_notify and exits. Returns the hashes of both ways, its exit code and its stderr.
    /// </summary>
    public static (long Received, byte[] SentHash, byte[] ReceivedHash, int ExitCode, string Stderr) ClientTransfer(IEnumerable<string> arguments, long size, TimeSpan timeout)
    {
        // Through a cat on each side: written to directly, the pipe to s_client's stdin failed here (ETIMEDOUT) under
        // 16 MiB. -nocommands: otherwise a line of the random data starting with R, K or Q is a command to s_client.
        var info = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", "cat | { openssl s_client -quiet -nocommands -no_ign_eof \"$@\"; echo \"exit $?\" >&2; } | cat", "sh", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var writer = Task.Run(() =>
            {
                var random = new Random(14);
                var chunk = new byte[64 * 1024];
                var input = process.StandardInput.BaseStream;
                for (long left = size; left > 0;)
                {
                    var n = (int)Math.Min(chunk.Length, left);
                    random.NextBytes(chunk.AsSpan(0, n));
                    sentHash.AppendData(chunk, 0, n);
                    input.Write(chunk, 0, n);
                    left -= n;
                }

                input.Flush();
            });

            using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var reader = Task.Run(() =>
            {
                var buffer = new byte[64 * 1024];
                var output = process.StandardOutput.BaseStream;
                long received = 0;
                while (received < size)
                {
                    var n = output.Read(buffer, 0, (int)Math.Min(buffer.Length, size - received));
                    if (n == 0)
                    {
                        break;
                    }

                    receivedHash.AppendData(buffer, 0, n);
                    received += n;
                }

                return received;
            });

            var finished = Task.WhenAll(writer, reader).Wait(timeout);
            finished.Should().BeTrue($"openssl s_client moves {size} bytes within {timeout}; stderr: {stderr}");
            process.StandardInput.Close();
            process.WaitForExit(timeout).Should().BeTrue("openssl s_client exits once its stdin is closed");
            process.WaitForExit(); // and its stderr has been read to the end
            var sent = sentHash.GetHashAndReset();
            lock (stderr)
            {
                // The exit code is s_client's, which the shell writes last on stderr.
                var text = stderr.ToString();
                var exit = text.LastIndexOf("exit ", StringComparison.Ordinal);
                var code = exit < 0 ? -1 : int.Parse(text[(exit + 5)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                return (reader.Result, sent, receivedHash.GetHashAndReset(), code, text);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
    }
}

/// <summary>A fact skipped, with the reason, when openssl cannot speak TLS 1.0 here (or is missing).</summary>
public sealed class RequiresOpenSslTls10FactAttribute : FactAttribute
{
    public RequiresOpenSslTls10FactAttribute()
    {
        if (ExternalProgram.Find("openssl") is null)
        {
            Skip = "openssl is not installed (apt-get install openssl; .ci/run does this)";
        }
        else if (!OpenSsl.CanSpeakTls10)
        {
            Skip = $"this OpenSSL cannot speak TLS 1.0 at all, even with -cipher '{OpenSsl.Tls10Ciphers}'";
        }
    }
}
