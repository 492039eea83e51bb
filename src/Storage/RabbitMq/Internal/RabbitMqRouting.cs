using Pipeline.Blocks.Events;
using Pipeline.Blocks.Routes;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// Which targets an event is published to: with no route that publishes to RabbitMQ, the sink's
/// default once; otherwise once per matching route with a RabbitMQ target (in order, stopping
/// after a matching route with <c>Continue=false</c>), and the default when none of those matched
/// and <c>PublishUnmatched</c> is on. Immutable after construction.
/// </summary>
internal sealed class RabbitMqRouting
{
    private readonly RouteTable _routes;
    private readonly PublishTarget?[] _routeTargets;
    private readonly bool _anyRabbitMqRoute;
    private readonly bool _publishUnmatched;

    public RabbitMqRouting(RabbitMqSinkOptions options, RouteTable routes)
    {
        _routes = routes;
        _publishUnmatched = options.PublishUnmatched;
        Default = new PublishTarget(options.Exchange, new RoutingKeyTemplate(options.RoutingKey));
        var all = new List<PublishTarget> { Default };
        _routeTargets = new PublishTarget?[routes.Count];
        for (var i = 0; i < routes.Count; i++)
        {
            if (routes[i].Options.RabbitMq is { } target)
            {
                var key = target.RoutingKey ?? options.RoutingKey;
                _routeTargets[i] = new PublishTarget(target.Exchange ?? options.Exchange, new RoutingKeyTemplate(key));
                all.Add(_routeTargets[i]!);
                _anyRabbitMqRoute = true;
            }
        }

        Targets = [.. all];
        Exchanges = [.. all.Select(t => t.Exchange).Distinct(StringComparer.Ordinal)];
    }

    public PublishTarget Default { get; }

    /// <summary>No route publishes: every event goes to <see cref="Default"/> (Batch mode then sends each batch's shared frame as it is).</summary>
    public bool OnlyDefault => !_anyRabbitMqRoute;

    /// <summary>Every target (the default first), for sizing the per-event scratch.</summary>
    public PublishTarget[] Targets { get; }

    /// <summary>The exchanges to declare at connect.</summary>
    public string[] Exchanges { get; }

    /// <summary>Writes the event's targets into <paramref name="targets"/> (at least <see cref="Targets"/> long); returns how many.</summary>
    public int Resolve(EventBatch batch, ref readonly EventRecord e, Span<PublishTarget?> targets)
    {
        if (!_anyRabbitMqRoute)
        {
            targets[0] = Default;
            return 1;
        }

        var count = 0;
        for (var i = 0; i < _routes.Count; i++)
        {
            var route = _routes[i];
            if (!route.Matches(batch, in e))
            {
                continue;
            }

            if (_routeTargets[i] is { } target)
            {
                targets[count++] = target;
            }

            if (!route.Continue)
            {
                break;
            }
        }

        if (count == 0 && _publishUnmatched)
        {
            targets[count++] = Default;
        }

        return count;
    }
}
