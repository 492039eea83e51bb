namespace Pipeline.Blocks.Parse;

/// <summary>How numeric levels 0 and 1 are read; every other number means the same in both.</summary>
public enum NumericLevelScheme
{
    /// <summary>0 = debug, 1 = info (the MQ log systems' scheme), 2–7 syslog, 9/11/91/99 MQ. The default:
    /// reading a fleet's everyday 0/1 as emergency/alert would page people for debug logs.</summary>
    Mq = 0,

    /// <summary>0 = emergency, 1 = alert (both critical), as syslog defines them.</summary>
    Syslog = 1,
}
