namespace Pipeline.Storage.Spool;

/// <summary>An append would take the spool past <see cref="DiskSpoolOptions.MaxBytes"/>.</summary>
public sealed class SpoolFullException(string message) : IOException(message);
