-- One wrk scenario, described by the environment (bench/runner.py sets it):
--   BENCH_METHOD, BENCH_PATH        the request
--   BENCH_HEADERS                   extra headers, one "Name: value" per line (cookie, CSRF token, If-None-Match)
--   BENCH_BODY                      the body; "{phone}" and "{key}" are replaced per request when present
--   BENCH_PHONE_PREFIX, BENCH_PHONE_BASE
--                                   phones are prefix .. 8 digits from base + a per-thread counter, so every
--                                   request of every run registers a distinct phone
--   BENCH_TOKENS                    a file of lines (signed tickets) handed out in turn as "{token}"; a line of
--                                   tab-separated fields also gives "{1}", "{2}"… in the path and the body
--                                   (a quiz participant's token, a question's position, an option's id)
--   BENCH_EXPECT                    the statuses that count as success ("200", "303", "201,200", "304")
-- done() prints one line "BENCH_RESULT {json}" that the runner reads.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body_template = os.getenv("BENCH_BODY")
local prefix = os.getenv("BENCH_PHONE_PREFIX") or "09"
local base = tonumber(os.getenv("BENCH_PHONE_BASE") or "0")
local expect = {}
for code in string.gmatch(os.getenv("BENCH_EXPECT") or "200", "%d+") do
  expect[tonumber(code)] = true
end

local headers = {}
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  unexpected = 0
  sample = ""
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  tokens = {}
  local tokens_path = os.getenv("BENCH_TOKENS")
  if tokens_path and tokens_path ~= "" then
    for line in io.lines(tokens_path) do
      if line ~= "" then table.insert(tokens, line) end
    end
  end
  local varies = body_template ~= nil and (string.find(body_template, "{phone}", 1, true)
    or string.find(body_template, "{key}", 1, true) or string.find(body_template, "{token}", 1, true)
    or string.find(body_template, "{1}", 1, true))
  if not varies and not string.find(path, "{1}", 1, true) then
    static_request = wrk.format(method, path, headers, body_template)
  end
end

local function fill(text, line)
  -- base45 has "%", the escape of Lua's replacement strings: double it
  text = string.gsub(text, "{token}", (string.gsub(line, "%%", "%%%%")))
  local index = 0
  for value in string.gmatch(line, "[^\t]+") do
    index = index + 1
    text = string.gsub(text, "{" .. index .. "}", (string.gsub(value, "%%", "%%%%")))
  end
  return text
end

function request()
  if static_request then return static_request end
  local n = base + counter * nthreads + tid
  counter = counter + 1
  local phone = prefix .. string.format("%08d", n)
  local key = string.format("bench-submission-key-%s-%012d", prefix, n)
  local body = body_template
  local request_path = path
  if body then
    body = string.gsub(string.gsub(body, "{phone}", phone), "{key}", key)
  end
  if #tokens > 0 then
    local line = tokens[(n % #tokens) + 1]
    if body then body = fill(body, line) end
    request_path = fill(path, line)
  end
  return wrk.format(method, request_path, headers, body)
end

function response(status, response_headers, body)
  if not expect[status] then
    unexpected = unexpected + 1
    if sample == "" then
      sample = tostring(status) .. " " .. string.sub(body or "", 1, 400)
    end
  end
end

local function quote(text)
  text = string.gsub(text, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)
  return '"' .. text .. '"'
end

function done(summary, latency, requests)
  local total_unexpected, first_sample = 0, ""
  for _, thread in ipairs(threads) do
    total_unexpected = total_unexpected + (thread:get("unexpected") or 0)
    local s = thread:get("sample") or ""
    if first_sample == "" then first_sample = s end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "unexpected": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, "sample": %s}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, total_unexpected,
    latency:percentile(50), latency:percentile(99), latency.mean, quote(first_sample)))
end
