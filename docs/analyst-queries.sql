-- Ready SQL over pipeline.logs, for ClickHouse 18.16 and later (see README.md, "For analysts").
-- Each query follows a "-- name: ..." line; tests/Pipeline.ClickHouse.Tests/Analysts runs every one.

-- name: errors per robot per hour
SELECT robot_id, toStartOfHour(ts) AS hour, count() AS errors
FROM pipeline.logs
WHERE level >= 'ERROR' AND ts >= now() - INTERVAL 1 DAY
GROUP BY robot_id, hour
ORDER BY hour, errors DESC, robot_id;

-- name: top messages
SELECT msg, count() AS events
FROM pipeline.logs
WHERE ts >= now() - INTERVAL 1 DAY
GROUP BY msg
ORDER BY events DESC, msg
LIMIT 20;

-- name: robots silent for 10 minutes
SELECT robot_id, max(ts) AS last_seen
FROM pipeline.logs
WHERE ts >= now() - INTERVAL 7 DAY
GROUP BY robot_id
HAVING last_seen < now() - INTERVAL 10 MINUTE
ORDER BY last_seen;

-- name: battery over time
SELECT robot_id, toStartOfFiveMinute(ts) AS time, avg(visitParamExtractFloat(attrs, 'battery')) AS battery
FROM pipeline.logs
WHERE visitParamHas(attrs, 'battery') AND ts >= now() - INTERVAL 1 DAY
GROUP BY robot_id, time
ORDER BY robot_id, time;

-- name: events per level per site
SELECT site, level, count() AS events
FROM pipeline.logs
WHERE ts >= now() - INTERVAL 1 DAY
GROUP BY site, level
ORDER BY site, level;

-- name: error rate per robot model
SELECT visitParamExtractString(attrs, 'model') AS model, count() AS events, countIf(level >= 'ERROR') AS errors, round(errors / events, 4) AS error_rate
FROM pipeline.logs
WHERE ts >= now() - INTERVAL 1 DAY
GROUP BY model
ORDER BY error_rate DESC, model;

-- name: busiest robots in the last hour
SELECT robot_id, count() AS events
FROM pipeline.logs
WHERE ts >= now() - INTERVAL 1 HOUR
GROUP BY robot_id
ORDER BY events DESC, robot_id
LIMIT 10;

-- name: one trace in order
SELECT ts_ms, robot_id, span_id, level, type, msg
FROM pipeline.logs
WHERE trace_id = 'a1b2c3d4'
ORDER BY ts_ms, span_id;

-- name: events by type per day
SELECT toDate(ts) AS day, type, count() AS events
FROM pipeline.logs
WHERE ts >= now() - INTERVAL 7 DAY
GROUP BY day, type
ORDER BY day, events DESC, type;

-- name: last messages of one robot
SELECT ts_ms, level, type, msg
FROM pipeline.logs
WHERE robot_id = 'r-001' AND ts >= now() - INTERVAL 1 DAY
ORDER BY ts_ms DESC
LIMIT 50;

-- name: top patterns
SELECT template_id, any(msg) AS example, count() AS events, uniqExact(robot_id) AS robots
FROM pipeline.logs
WHERE template_id != 0 AND ts >= now() - INTERVAL 1 DAY
GROUP BY template_id
ORDER BY events DESC, template_id
LIMIT 20;
