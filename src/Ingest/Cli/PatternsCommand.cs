using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline patterns mine [--final]</c>: log templates of the lines on stdin.</summary>
internal static class PatternsCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var final = new Option<bool>("--final")
        {
            Description = "Print, for each message, the template it ends in after all input (batch evaluation). " +
                "Without it each line is printed as its message arrives, with the template it got then (streaming).",
        };
        var mine = new Command("mine",
            "Reads one message per line on stdin (UTF-8) and prints one line per message: `<template id>\\t<template>`, " +
            "the id as 16 hex digits (stable: it stays when a template generalises), `<*>` for variable parts. " +
            "Numbers, hex, IPs and ports, hosts, UUIDs, paths, URLs, dates, sizes and key=value values are masked " +
            "with one generic configuration; its options can be set like the service's, e.g. " +
            "--Pipeline:PatternMine:MaxTemplates=1000 or Pipeline__PatternMine__MaxTemplates=1000. " +
            "Exit 0; 2 bad settings; 1 stdin or stdout failed. " +
            "Example: `cut -f5 app.log | pipeline patterns mine --final | sort | uniq -c | sort -rn`.")
        {
            final,
        };
        overrides.ReadBy(mine, pipelineOnly: true);
        mine.SetAction(async (result, cancellationToken) =>
        {
            var isFinal = result.GetValue(final);
            if (!TryReadOptions(overrides.Arguments, out var options, out var problem))
            {
                await error.WriteLineAsync($"pipeline patterns mine: {problem}").ConfigureAwait(false);
                return 2;
            }

            try
            {
                await using var stdin = Console.OpenStandardInput();
                if (ReferenceEquals(output, Console.Out))
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await PatternMineLines.MineAsync(stdin, stdout, isFinal, options, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await using var text = new TextWriterStream(output);
                    await PatternMineLines.MineAsync(stdin, text, isFinal, options, cancellationToken).ConfigureAwait(false);
                }

                return 0;
            }
            catch (IOException ex)
            {
                // A closed pipe (`| head`) ends the run; anything else is worth a line.
                if (ex.HResult != 32 && !ex.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase))
                {
                    await error.WriteLineAsync($"pipeline patterns mine: {ex.Message}").ConfigureAwait(false);
                    return 1;
                }

                return 0;
            }
        });

        return new Command("patterns", "Log pattern mining: templates of messages (see `pipeline patterns mine --help`).")
        {
            mine,
        };
    }

    /// <summary>Pipeline:PatternMine from Pipeline__ variables and --Pipeline:… arguments.</summary>
    private static bool TryReadOptions(IReadOnlyList<string> overrides, out PatternMineOptions options, out string problem)
    {
        options = new PatternMineOptions();
        problem = string.Empty;
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddEnvironmentVariables()
                .AddCommandLine([.. overrides])
                .Build();
            configuration.GetSection("Pipeline:PatternMine").Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            var errors = new List<string>();
            options.Validate(new OptionsErrors("Pipeline:PatternMine", errors));
            problem = string.Join("; ", errors);
            return errors.Count == 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            problem = ex.Message.Split('\n')[0].Replace(" (Parameter", " (option", StringComparison.Ordinal);
            return false;
        }
    }

    /// <summary>Writes UTF-8 bytes to a <see cref="TextWriter"/> (when output is not the console, e.g. in tests).</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private char[] _chars = new char[4096];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var needed = _decoder.GetCharCount(buffer, flush: false);
            if (_chars.Length < needed)
            {
                _chars = new char[needed];
            }

            var n = _decoder.GetChars(buffer, _chars, flush: false);
            writer.Write(_chars, 0, n);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush() => writer.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
