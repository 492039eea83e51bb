using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.Alerts;

namespace Pipeline.Ingest.Http;

/// <summary>
/// <c>GET /api/alerts</c> (active alerts — pending, firing, offline — and the last resolved ones),
/// <c>GET /api/alerts/rules</c>, and silences: <c>GET/POST /api/silences</c>, <c>DELETE /api/silences/{id}</c>.
/// They read the alert block's live state; none of them blocks it. With alerting off (no rule and no
/// route with channels) every one answers 404 saying how to turn it on.
/// </summary>
internal static class AlertEndpoints
{
    private const string Off = "alerting is off: configure Pipeline:Alerts:Rules, Pipeline:Alerts:RulesPath, or a route with Channels (see the README, Alerting).";

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/alerts", (HttpContext context) => WithBlock(context, Alerts));
        app.MapGet("/api/alerts/rules", (HttpContext context) => WithBlock(context, Rules));
        app.MapGet("/api/silences", (HttpContext context) => WithBlock(context, Silences));
        app.MapPost("/api/silences", (Delegate)((HttpContext context) => WithBlockAsync(context, AddSilenceAsync)));
        app.MapDelete("/api/silences/{id}", (HttpContext context, string id) => WithBlock(context, block => DeleteSilence(block, id)));
    }

    private static IResult WithBlock(HttpContext context, Func<AlertBlock, IResult> handle) =>
        context.RequestServices.GetService<AlertBlock>() is { } block ? handle(block) : ApiResponses.Error(404, Off);

    private static async Task<IResult> WithBlockAsync(HttpContext context, Func<HttpContext, AlertBlock, Task<IResult>> handle) =>
        context.RequestServices.GetService<AlertBlock>() is { } block ? await handle(context, block).ConfigureAwait(false) : ApiResponses.Error(404, Off);

    private static IResult Alerts(AlertBlock block) => ApiResponses.Body(200, json =>
    {
        ApiResponses.Write(json, "active", block.Active());
        ApiResponses.Write(json, "resolved", block.RecentResolved());
    });

    private static IResult Rules(AlertBlock block) => ApiResponses.Body(200, json => ApiResponses.Write(json, "rules", block.Rules()));

    private static IResult Silences(AlertBlock block) => ApiResponses.Body(200, json => ApiResponses.Write(json, "silences", block.Silences.List()));

    private static IResult DeleteSilence(AlertBlock block, string id) =>
        block.Silences.Delete(id)
            ? ApiResponses.Body(200, json => json.WriteString("deleted", id))
            : ApiResponses.Error(404, $"no silence with id '{id}' (GET /api/silences lists them).");

    private static async Task<IResult> AddSilenceAsync(HttpContext context, AlertBlock block)
    {
        SilenceRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<SilenceRequest>(context.Request.Body, ApiResponses.Serializer, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return ApiResponses.Error(400, $"the body is not a silence: {ex.Message} Expected {{\"matchers\":[{{\"name\":\"robot_id\",\"value\":\"r-7\"}}],\"until\":\"2026-12-03T18:00:00Z\"}}.");
        }

        if (request?.Matchers is not { Count: > 0 } matchers)
        {
            return ApiResponses.Error(400, "matchers: at least one {\"name\":…,\"value\":…} is needed.");
        }

        var list = new List<SilenceMatcher>(matchers.Count);
        for (var i = 0; i < matchers.Count; i++)
        {
            if (matchers[i] is not { Name: { Length: > 0 } name, Value: { } value } m)
            {
                return ApiResponses.Error(400, $"matchers[{i}]: needs a non-empty name and a value.");
            }

            list.Add(new SilenceMatcher { Name = name, Value = value, IsRegex = m.IsRegex });
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var until = request.Until ?? (request.Duration is { } duration ? now + duration : (DateTimeOffset?)null);
        if (until is null)
        {
            return ApiResponses.Error(400, "until (a time, e.g. \"2026-12-03T18:00:00Z\") or duration (e.g. \"01:30:00\") is needed.");
        }

        if (until <= now)
        {
            return ApiResponses.Error(400, $"until ({until:O}) is not in the future.");
        }

        try
        {
            var silence = block.Silences.Add(new Silence
            {
                Matchers = list,
                StartsAt = now,
                Until = until.Value,
                CreatedBy = request.CreatedBy ?? "",
                Comment = request.Comment ?? "",
            });
            return ApiResponses.Body(201, json => ApiResponses.Write(json, "silence", silence));
        }
        catch (ArgumentException ex)
        {
            return ApiResponses.Error(400, ex.Message);
        }
    }
}
