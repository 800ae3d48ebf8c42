-- wrk's report as one JSON line (bench/load.py reads it): requests, duration, latency percentiles (µs),
-- socket errors, and the count of each status, gathered from every thread's own Lua state.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counted[status] = (counted[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counted) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "timeout": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ", ")))
end
