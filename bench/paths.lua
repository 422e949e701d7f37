-- wrk script for the flags benchmarks: cycles through request paths read from a file.
--   wrk -t2 -c64 -d30s --latency -H "Authorization: Bearer ..." -s bench/paths.lua \
--       http://127.0.0.1:PORT -- paths.txt
-- Each thread starts at its own offset. done() prints one machine-readable line.

local paths = {}
local position = 0
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("thread_number", thread_number)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no paths in " .. args[1])
  position = ((thread_number or 1) * 7919) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us": %d, "requests": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "lat_mean": %.1f, "lat_max": %d, '
      .. '"p50": %d, "p90": %d, "p99": %d, "p999": %d}\n',
    summary.duration, summary.requests, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
