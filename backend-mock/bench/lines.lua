-- wrk script for gashapay-bench: POSTs each line of a file as one JSON body, every
-- line at most once per run (validate needs a distinct code per request), the
-- threads taking alternate lines. Arguments after `--`: <file> <threads> <bearer>.
-- At the end it prints one line the bench parses.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path, count = args[1], tonumber(args[2])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  -- Whole requests are made here, before the clock starts: request() then only
  -- hands out a string. Formatting each request while loading made garbage for
  -- Lua's collector, whose every pass walks this table, so the client cost more
  -- per request for a target with many lines (validate) than one with two (echo).
  requests = {}
  local n = 0
  for line in io.lines(path) do
    if n % count == id then
      requests[#requests + 1] = wrk.format(nil, nil, nil, line)
    end
    n = n + 1
  end
  index = 0
  wraps = 0
end

function request()
  index = index + 1
  if index > #requests then
    -- Out of lines: reuse them, and say so (a reused code is no new deduction).
    index = 1
    wraps = wraps + 1
  end
  return requests[index]
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do
    wrapped = wrapped + thread:get("wraps")
  end
  local errors = summary.errors
  io.write(string.format(
    "GASHAPAY requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d wrapped=%d\n",
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), wrapped))
end
