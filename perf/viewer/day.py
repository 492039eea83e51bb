#!/usr/bin/env python3
"""A day of a small fleet: ROBOTS robots x 1 event/s x HOURS h ending now, in time order, NDJSON on stdout."""
import random, sys, time
robots = int(sys.argv[1]) if len(sys.argv) > 1 else 50
hours = float(sys.argv[2]) if len(sys.argv) > 2 else 24
random.seed(7)
end = int(time.time() * 1000)
start = end - int(hours * 3600 * 1000)
types = ["status_update", "heartbeat", "command", "command_result", "nav", "motor", "battery", "camera"]
levels = ["DEBUG", "INFO", "INFO", "INFO", "INFO", "INFO", "WARNING", "ERROR"]
msgs = ["Battery level %d percent", "Moved to waypoint %d in %d ms", "Door %d opened by command %d",
        "Heartbeat received seq %d", "Lidar frame dropped at %d fps", "Motor %d temperature %d C"]
out = sys.stdout
w = out.write
buf = []
for s in range(start // 1000, end // 1000):
    for r in range(robots):
        ms = s * 1000 + (r * 17) % 1000
        t = time.gmtime(ms // 1000)
        ts = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ms % 1000)
        m = random.choice(msgs)
        msg = m % ((random.randint(1, 999),) * m.count("%d"))
        buf.append('{"ts":"%s","robot_id":"robot-%d","level":"%s","type":"%s","msg":"%s","data":{"battery":%d,"x":%.3f,"y":%.3f}}\n'
                   % (ts, r, random.choice(levels), random.choice(types), msg, random.randint(1, 100), random.random() * 100, random.random() * 100))
    if len(buf) > 20000:
        w("".join(buf)); buf = []
w("".join(buf))
