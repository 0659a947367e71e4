-- wrk script for bench/run.sh: POSTs each line of $WCS_BENCH_BODIES (an
-- url-encoded form body) exactly once, shared out among wrk's threads, and
-- counts an answer as a success only when it has the expected status
-- ($WCS_BENCH_EXPECT: 303 for logins, 302 for Shibboleth's, 403 for
-- replays) and, for a login, sets the session cookie named
-- $WCS_BENCH_COOKIE.  Every $WCS_BENCH_EVERY-th cookie is appended to
-- $WCS_BENCH_SAMPLES, for run.sh to open a protected page with afterwards.  A connection of a thread that has sent
-- its share asks for $WCS_BENCH_FILLER (a small static page: its 200s are
-- not counted) until the thread's last answer is in; then the thread stops
-- (wrk itself still waits out -d).
local bodies = {}
for line in io.lines(os.getenv("WCS_BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local threads = {}

function setup(thread)
  thread:set("first", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  step = tonumber(os.getenv("WCS_BENCH_THREADS"))
  expect = tonumber(os.getenv("WCS_BENCH_EXPECT"))
  cookie = os.getenv("WCS_BENCH_COOKIE")
  every = tonumber(os.getenv("WCS_BENCH_EVERY") or "0")
  samples = os.getenv("WCS_BENCH_SAMPLES")
  path = os.getenv("WCS_BENCH_PATH")
  filler = os.getenv("WCS_BENCH_FILLER")
  i = first + 1 - step
  sent, ok, bad = 0, 0, 0
  statuses = ""
end

request = function()
  if first == 0 and not verified then
    -- wrk calls thread 0's request() once before the run, to check it,
    -- and never sends that one.
    verified = true
    return wrk.format("GET", filler)
  end
  if i + step > #bodies then
    if ok + bad >= sent then
      wrk.thread:stop()
    end
    return wrk.format("GET", filler)
  end
  i = i + step
  sent = sent + 1
  return wrk.format("POST", path,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[i])
end

-- The value of the cookie named name in a Set-Cookie header, or nil.
local function session_cookie(headers, name)
  local set = headers["Set-Cookie"] or headers["set-cookie"]
  if not set or not name then return nil end
  return set:match("^(" .. name:gsub("%-", "%%-") .. "=[^;]+)")
end

response = function(status, headers, body)
  local c = nil
  if status == 200 then return end       -- a filler's answer
  if expect == 303 or expect == 302 then
    c = session_cookie(headers, cookie)
  end
  if status == expect and (c or (expect ~= 303 and expect ~= 302)) then
    ok = ok + 1
    if c and every > 0 and ok % every == 0 then
      local f = io.open(samples, "a")
      f:write(c, "\n")
      f:close()
    end
  else
    bad = bad + 1
    if #statuses < 200 then statuses = statuses .. " " .. status end
  end
end

function done(summary, latency, requests)
  local sent_all, ok_all, bad_all, seen = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    sent_all = sent_all + t:get("sent")
    ok_all = ok_all + t:get("ok")
    bad_all = bad_all + t:get("bad")
    seen = seen .. t:get("statuses")
  end
  io.write(string.format("acs-result sent %d ok %d bad %d%s\n",
    sent_all, ok_all, bad_all,
    bad_all > 0 and (" (statuses:" .. seen .. ")") or ""))
  io.write(string.format("acs-latency p50 %.2f ms p99 %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
