using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Pipeline.Ingest.Dashboard;

/// <summary>
/// <c>GET /</c> (the dashboard's page) and <c>GET /ui/{file}</c> (its script and styles). The page itself
/// holds no data, so it is outside ops auth like <c>/healthz</c>; everything it shows comes from
/// <c>/api/…</c>, which asks for the token.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet("/ui/{file}", (HttpContext context, string file) => Serve(context, file));
    }

    private static IResult Serve(HttpContext context, string name)
    {
        var assets = context.RequestServices.GetRequiredService<DashboardAssets>();
        if (!assets.TryGet(name, out var asset))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        // Revalidate every time: a new executable must never run with an old script from the cache.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
