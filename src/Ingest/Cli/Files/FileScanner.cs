using System.Diagnostics;
using System.Globalization;
using Pipeline.Storage.Files.Reading;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// Reads the rolling files newest first — files by name (time), frames from the last to the first — and hands each
/// event to a visitor until the visitor has what it needs. Frames are whole LZ4 frames (a frame the service is still
/// writing is left out); a file that cannot be read is one warning line naming it, counted, and the scan goes on.
/// Progress (files and events scanned) goes to the terminal only when asked (stderr is a terminal).
/// </summary>
internal sealed class FileScanner
{
    /// <summary>
    /// How far an event's own time may be ahead of its arrival and still be found when a scan stops early: frames
    /// are in arrival order, event times are the robots'. A robot clock further ahead than this can hide its events
    /// from a --limit or --since answer (docs/viewer-files.md).
    /// </summary>
    public static readonly TimeSpan ClockAllowance = TimeSpan.FromMinutes(5);

    private static readonly long AllowanceMs = (long)ClockAllowance.TotalMilliseconds;
    private readonly string _directory;
    private readonly string _verb;
    private readonly TextWriter _error;
    private readonly bool _progress;

    public FileScanner(string directory, string verb, TextWriter error, bool progress)
    {
        _directory = directory;
        _verb = verb;
        _error = error;
        _progress = progress;
    }

    public FileScanSummary Scan<TVisitor>(TVisitor visitor, string[] files, CancellationToken cancellationToken)
        where TVisitor : IEventVisitor
    {
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var frames = new List<FrameSpan>();
        int scanned = 0, corrupt = 0;
        long events = 0, bad = 0;
        var stop = false;
        for (var f = files.Length - 1; f >= 0 && !stop; f--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = files[f];
            scanned++;
            RollingFileReader reader;
            try
            {
                reader = new RollingFileReader(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                corrupt++;
                Warn(path, $"cannot be opened ({ex.Message})");
                continue;
            }

            using (reader)
            {
                frames.Clear();
                var tail = reader.Index(frames, out var end);
                var warned = false;
                if (tail == FileTail.Corrupt)
                {
                    corrupt++;
                    warned = true;
                    Warn(path, $"is not LZ4 frames from byte {end} on (of {reader.Length}); read {frames.Count} whole frame(s) before it");
                }

                for (var i = frames.Count - 1; i >= 0; i--)
                {
                    ReadOnlySpan<byte> text;
                    try
                    {
                        text = reader.Decode(frames[i]);
                    }
                    catch (InvalidDataException ex)
                    {
                        if (!warned)
                        {
                            corrupt++;
                            warned = true;
                            Warn(path, $"has a frame at byte {frames[i].Offset} that cannot be read ({ex.Message}); skipped it");
                        }

                        continue;
                    }

                    var oldest = long.MaxValue;
                    while (!text.IsEmpty)
                    {
                        var newline = text.IndexOf((byte)'\n');
                        var line = newline < 0 ? text : text[..newline];
                        text = newline < 0 ? default : text[(newline + 1)..];
                        if (line.IsEmpty)
                        {
                            continue;
                        }

                        if (!EventHeadReader.TryRead(line, out var head))
                        {
                            bad++;
                            continue;
                        }

                        events++;
                        oldest = Math.Min(oldest, head.ReceivedAt);
                        visitor.Visit(in head, line);
                    }

                    var needed = visitor.NeededFrom;
                    if (needed != long.MinValue && oldest != long.MaxValue && oldest < needed - AllowanceMs)
                    {
                        stop = true; // everything before this frame arrived earlier still
                        break;
                    }

                    if (_progress && clock.Elapsed - lastProgress > TimeSpan.FromMilliseconds(200))
                    {
                        lastProgress = clock.Elapsed;
                        _error.Write(string.Create(CultureInfo.InvariantCulture,
                            $"\r{_verb}: {scanned:N0} of {files.Length:N0} file(s), {events:N0} events scanned"));
                    }
                }
            }
        }

        if (_progress && lastProgress > TimeSpan.Zero)
        {
            _error.Write("\r\u001b[K");
        }

        return new FileScanSummary(scanned, events, bad, corrupt, clock.Elapsed);
    }

    private void Warn(string path, string problem)
    {
        if (_progress)
        {
            _error.Write("\r\u001b[K");
        }

        _error.WriteLine($"pipeline {_verb}: warning: {path} {problem}.");
    }

    /// <summary>The last line on stderr: on a terminal always, else only when something could not be read.</summary>
    public void Report(FileScanSummary summary)
    {
        if (!_progress && summary.CorruptFiles == 0 && summary.BadLines == 0)
        {
            return;
        }

        var corrupt = summary.CorruptFiles > 0 ? $"; {summary.CorruptFiles} file(s) could not be read whole (warnings above)" : "";
        var bad = summary.BadLines > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {summary.BadLines:N0} line(s) that are not events skipped") : "";
        _error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pipeline {_verb}: scanned {summary.Files:N0} file(s), {summary.Events:N0} events in {summary.Elapsed.TotalSeconds:0.00} s from {_directory}{corrupt}{bad}."));
    }
}
