-- wrk script: POST /v1/recharges with a unique Idempotency-Key and pos_reference per
-- request, for a random member among WALLETS pre-created wallets.
-- Environment: POS_KEY (X-Api-Key), WALLETS (how many member ids), RUN (unique per run),
-- TARGET (the path; /v1/recharges unless the HTTP ceiling's, patronage/bench/http_ceiling.py).

local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tid * 7919)
  wallets = tonumber(os.getenv("WALLETS"))
  run = os.getenv("RUN")
  target = os.getenv("TARGET") or "/v1/recharges"
  headers = {
    ["Content-Type"] = "application/json",
    ["X-Api-Key"] = os.getenv("POS_KEY"),
  }
end

function request()
  counter = counter + 1
  local ref = run .. "-" .. tid .. "-" .. counter
  headers["Idempotency-Key"] = ref
  local member = "bench-" .. math.random(1, wallets)
  local body = '{"member_id":"' .. member .. '","amount":10000,"currency":"CNY",' ..
    '"payment_method":"wechat_pay","payment_reference":"' .. ref .. '",' ..
    '"store_id":"bench_store","terminal_id":"pos_1","channel":"pos",' ..
    '"pos_reference":"' .. ref .. '"}'
  return wrk.format("POST", target, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
