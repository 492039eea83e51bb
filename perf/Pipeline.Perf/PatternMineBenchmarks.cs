using System.Text;
using BenchmarkDotNet.Attributes;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Perf;

/// <summary>
/// The pattern miner on a Loghub mix: the 20 000 messages of the ten Loghub-2k systems, interleaved
/// round-robin (so consecutive messages come from different systems, as from a fleet). Operations are
/// messages. <c>Add</c> is the steady state (every template exists: 0 B per message expected); with
/// <c>MessageCache=true</c> the 20 000 messages repeat every invocation, so they are all exact-message
/// cache hits; <c>MessageCache=false</c> tokenises every message (what a never-seen message costs);
/// <c>AddCold</c> starts from an empty miner each time and includes creating the ~660 templates.
/// Data: <c>PIPELINE_LOGHUB_DIR</c>, else <c>shared/data/loghub</c> found above the working directory.
/// <code>dotnet run -c Release --project perf/Pipeline.Perf -- --filter '*PatternMine*' --job short</code>
/// </summary>
[MemoryDiagnoser]
public class PatternMineBenchmarks
{
    private const int Messages = 20_000;

    private static readonly string[] Systems =
        ["HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "HPC", "Linux", "HealthApp", "Proxifier", "OpenStack"];

    private byte[][] _messages = [];
    private byte[][] _escaped = [];
    private TemplateMiner _miner = null!;
    private MessageTokenizer _tokenizer = null!;
    private TokenizedMessage _scratch = null!;

    [Params(true, false)]
    public bool MessageCache { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        var perSystem = Systems.Select(s => LoghubCsv.ReadContent(Path.Combine(LoghubCsv.FindDirectory(), s, s + "_2k.log_structured_corrected.csv"))).ToArray();
        var mix = new List<byte[]>(Messages);
        for (var i = 0; mix.Count < Messages; i++)
        {
            foreach (var lines in perSystem)
            {
                if (i < lines.Count && mix.Count < Messages)
                {
                    mix.Add(Encoding.UTF8.GetBytes(lines[i]));
                }
            }
        }

        _messages = [.. mix];
        _escaped = [.. mix.Select(m => Encoding.UTF8.GetBytes(System.Text.Json.JsonEncodedText.Encode(Encoding.UTF8.GetString(m)).Value))];
        _miner = new TemplateMiner(new PatternMineOptions { MessageCacheSize = MessageCache ? 16_384 : 0 });
        foreach (var message in _messages)
        {
            _miner.Add(message);
        }

        _tokenizer = new MessageTokenizer(128, 256);
        _scratch = new TokenizedMessage();
    }

    [Benchmark(OperationsPerInvoke = Messages, Description = "Add (templates exist)")]
    public ulong Add()
    {
        ulong sum = 0;
        foreach (var message in _messages)
        {
            sum += _miner.Add(message).TemplateId;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Messages, Description = "AddJsonEscaped (templates exist)")]
    public ulong AddJsonEscaped()
    {
        ulong sum = 0;
        foreach (var message in _escaped)
        {
            sum += _miner.AddJsonEscaped(message).TemplateId;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Messages, Description = "Tokenize and mask only")]
    public int Tokenize()
    {
        var tokens = 0;
        foreach (var message in _messages)
        {
            _tokenizer.Tokenize(message, _scratch);
            tokens += _scratch.Count;
        }

        return tokens;
    }

    [Benchmark(OperationsPerInvoke = Messages, Description = "AddCold (empty miner, creates templates)")]
    public int AddCold()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MessageCacheSize = MessageCache ? 16_384 : 0 });
        foreach (var message in _messages)
        {
            miner.Add(message);
        }

        return miner.TemplateCount;
    }

    /// <summary>Just enough RFC 4180 to read the Content column of the Loghub CSVs.</summary>
    private static class LoghubCsv
    {
        public static string FindDirectory()
        {
            var configured = Environment.GetEnvironmentVariable("PIPELINE_LOGHUB_DIR");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "loghub");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("Loghub data not found: set PIPELINE_LOGHUB_DIR to the directory holding HDFS/, Hadoop/, …");
        }

        public static List<string> ReadContent(string path)
        {
            var text = File.ReadAllText(path, Encoding.UTF8);
            var rows = Parse(text);
            var column = rows[0].IndexOf("Content");
            return [.. rows.Skip(1).Where(r => r.Count > column).Select(r => r[column])];
        }

        private static List<List<string>> Parse(string text)
        {
            var rows = new List<List<string>>();
            var row = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    row.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\n')
                {
                    row.Add(field.ToString().TrimEnd('\r'));
                    field.Clear();
                    rows.Add(row);
                    row = [];
                }
                else
                {
                    field.Append(c);
                }
            }

            if (field.Length > 0 || row.Count > 0)
            {
                row.Add(field.ToString());
                rows.Add(row);
            }

            return rows;
        }
    }
}
