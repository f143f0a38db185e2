-- wrk script for bench/votes: each request is a vote by the next unused voter token.
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

local tokens, candidates, sent = {}, {}, 0

function init(args)
  for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
  for line in io.lines(os.getenv("CANDIDATES")) do candidates[#candidates + 1] = line end
end

function request()
  -- Two threads: even tokens for thread 0, odd ones for thread 1, so no voter votes twice
  -- until the tokens run out (then the votes are refused as duplicates, and not counted).
  local index = (sent * 2 + id) % #tokens + 1
  sent = sent + 1
  local body = '{"application_id":"' .. candidates[sent % #candidates + 1] .. '"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[index]}, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d in %.1fs, refused or failed: %d\n", summary.requests, seconds, summary.errors.status))
  local acknowledged = summary.requests - summary.errors.status
  io.write(string.format("acknowledged: %d\n", acknowledged))
  io.write(string.format("votes/s: %.0f\n", acknowledged / seconds))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
