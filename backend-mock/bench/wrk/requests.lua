-- wrk script for gashapay-bench: sends whole, pre-made HTTP requests, each at most
-- once per run (validate needs a distinct code per request). Thread N reads
-- `<prefix>.N`, a file of requests all `<size>` bytes long, written by the bench.
-- Arguments after `--`: <prefix> <size>. At the end it prints one line the bench
-- parses.
--
-- Why whole requests in one read: wrk runs each thread's `init` on its main thread
-- just before starting that thread, and starts its clock only after the last one.
-- So thread 0 loads the server, uncounted in the duration but counted in the
-- requests, while thread 1's `init` runs: a slow `init` inflates the rate. Formatting
-- each line in `init` (`wrk.format`) is slow enough to matter for a file of many
-- thousand requests (docs/BENCHMARKS.md); one read of a file is not, and request()
-- only cuts the next slice from it: no table of strings for Lua's collector to walk,
-- and the same work per request for every target.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1] .. "." .. id, "rb"))
  data = file:read("*a")
  file:close()
  size = tonumber(args[2])
  count = math.floor(#data / size)
  assert(count > 0 and count * size == #data, "the request file is not whole requests")
  index = 0
  wraps = 0
end

function request()
  if index == count then
    -- Out of requests: reuse them, and say so (a reused code is no new deduction).
    index = 0
    wraps = wraps + 1
  end
  local start = index * size
  index = index + 1
  return string.sub(data, start + 1, start + size)
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do
    wrapped = wrapped + thread:get("wraps")
  end
  -- The latency at enough percentiles for the bench to find the whole run's p50
  -- and p99 over all rounds together.
  local points = {}
  for _, q in ipairs({ 10, 25, 50, 75, 90, 95, 97, 98, 98.5, 99, 99.25, 99.5, 99.75, 99.9, 99.99 }) do
    points[#points + 1] = string.format("%s:%d", q, latency:percentile(q))
  end
  -- wrk's percentile(100) answers 0; the maximum is kept apart.
  points[#points + 1] = string.format("100:%d", latency.max)
  local errors = summary.errors
  io.write(string.format(
    "GASHAPAY requests=%d duration_us=%d non2xx=%d socket_errors=%d latency_us=%s wrapped=%d\n",
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    table.concat(points, ","), wrapped))
end
