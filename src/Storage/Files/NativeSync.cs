using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.Storage.Files;

/// <summary>
/// <c>fdatasync(2)</c> on a file another thread keeps writing: the group commit's fsync runs outside the writer's lock,
/// so frames go on being appended while the disk catches up. The handle is ref-counted for the call, so a roll that
/// closes the file meanwhile waits for it.
/// </summary>
internal static class NativeSync
{
    /// <summary>Puts what was written to <paramref name="handle"/> on disk; throws <see cref="IOException"/> when the disk refuses.</summary>
    public static void FlushToDisk(SafeFileHandle handle)
    {
        if (Native.fdatasync(handle) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the project; one call a fsync does not need the generator
        public static extern int fdatasync(SafeFileHandle fd);
#pragma warning restore SYSLIB1054
    }
}
