using System.CommandLine;
using Pipeline.Ingest.Auth;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline auth hash-token [TOKEN]</c>: what to put in a tokens file for a token.</summary>
internal static class AuthCommand
{
    public static Command Create(TextWriter output, TextWriter error, TextReader input) =>
        new("auth", "Robot and ops authentication (Pipeline:Auth): the hash of a token for a tokens file (hash-token).")
        {
            CreateHashToken(output, error, input),
        };

    private static Command CreateHashToken(TextWriter output, TextWriter error, TextReader input)
    {
        var token = new Argument<string?>("TOKEN")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "The token. Omitted: the first line of stdin, which keeps it out of the shell history and the process list.",
        };
        var command = new Command("hash-token",
            "Prints the SHA-256 of a token as lowercase hex: the value a tokens file (Pipeline:Auth:RobotTokensPath, " +
            "Pipeline:Auth:OpsTokensPath) holds for its robot_id or ops user, so the file never holds the token itself. " +
            "Exit 0; 2 when there is no token. " +
            "Example: openssl rand -hex 32 > robot-7.token; pipeline auth hash-token < robot-7.token " +
            "→ put {\"robot-7\":\"<the printed hash>\"} in the robots' tokens file, and robot-7.token on the robot.")
        {
            token,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var value = result.GetValue(token) ?? await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(value))
            {
                await error.WriteLineAsync("pipeline auth hash-token: no token: pass TOKEN or send it on stdin.").ConfigureAwait(false);
                return 2;
            }

            if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0)
            {
                // HTTP trims a header value and cannot carry control characters: such a token could never match.
                await error.WriteLineAsync("pipeline auth hash-token: the token starts or ends with whitespace or holds a control character, " +
                    "which an Authorization header cannot carry; use printable characters only (e.g. openssl rand -hex 32).").ConfigureAwait(false);
                return 2;
            }

            await output.WriteLineAsync(TokenHash.Hex(value)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
