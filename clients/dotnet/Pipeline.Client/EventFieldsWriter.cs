using System.Text.Json;

namespace Pipeline.Client;

/// <summary>
/// Writes an event's own fields (<c>msg</c>, <c>type</c>, attributes) into the open JSON object; <c>seq</c>,
/// <c>ts</c> and <c>level</c> are written by the client. Pass a static lambda and the state it needs, so
/// logging allocates no closure.
/// </summary>
/// <typeparam name="TState">What the fields are made of.</typeparam>
public delegate void EventFieldsWriter<TState>(Utf8JsonWriter writer, in TState state);
