-- Dossier lifecycles for wrk (bench/lifecycle.py --client wrk runs it; see bench/lifecycle.md).
-- One connection per wrk thread (-t = -c): each thread walks its own dossier through
--   submit → receive → start-processing → complete-step × (steps − 1) → approve → sign-result → return
-- and starts the next one; a refused call starts a new dossier. Settings come from the environment
-- (BENCH_CITIZENS comma-separated tokens, BENCH_COUNTER, BENCH_SPECIALIST, BENCH_LEADER, BENCH_PROCEDURE,
-- BENCH_AGENCY, BENCH_STEPS, BENCH_RUN); done() prints one line "MOTCUA_RESULT {json}".

local env = os.getenv
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local plan, citizen, code, step, seq = {}, nil, nil, 0, 0
ok, failed, lifecycles, statuses = 0, 0, 0, ""
local status_count = {}

local function json_headers(token)
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

function init(args)
  local citizens = {}
  for t in string.gmatch(env("BENCH_CITIZENS"), "[^,]+") do citizens[#citizens + 1] = t end
  citizen = citizens[(tid - 1) % #citizens + 1]
  local counter, specialist, leader = env("BENCH_COUNTER"), env("BENCH_SPECIALIST"), env("BENCH_LEADER")
  -- A reason: asked on a day off of the unit (422 off_day_reason_required), ignored on a working day (lifecycle.py).
  plan = { { "receive", counter, '{"off_day_reason":"Đo hiệu năng, chạy cả ngày nghỉ"}' },
           { "start-processing", counter, "{}" } }
  for _ = 1, tonumber(env("BENCH_STEPS")) - 1 do
    plan[#plan + 1] = { "complete-step", specialist, '{"note":"xong"}' }
  end
  plan[#plan + 1] = { "approve", leader, '{"summary":"Đồng ý"}' }
  plan[#plan + 1] = { "sign-result", leader, '{"electronic":true}' }
  plan[#plan + 1] = { "return", counter, '{"method":"counter"}' }  -- a result signed without a file is paper: collected at the counter
end

function request()
  if step == 0 then
    seq = seq + 1
    local headers = json_headers(citizen)
    headers["Idempotency-Key"] = string.format("wrk-%s-%d-%d", env("BENCH_RUN"), tid, seq)
    local body = string.format('{"procedure_code":"%s","agency_code":"%s","applicant":{"name":"Nguyễn Văn Đo"},'
      .. '"form_data":{"noi_dung":"đo hiệu năng"}}', env("BENCH_PROCEDURE"), env("BENCH_AGENCY"))
    return wrk.format("POST", "/api/v1/dossiers", headers, body)
  end
  local action = plan[step]
  return wrk.format("POST", "/api/v1/dossiers/" .. code .. "/" .. action[1], json_headers(action[2]), action[3])
end

function response(status, headers, body)
  if status == 200 or status == 201 then
    if step == 0 then
      code = string.match(body, '^{"code":%s*"([^"]+)"')
    end
    if code ~= nil then
      ok = ok + 1
      step = step + 1
      if step > #plan then
        step = 0
        lifecycles = lifecycles + 1
      end
      return
    end
  end
  failed = failed + 1
  status_count[status] = (status_count[status] or 0) + 1
  local parts = {}
  for s, n in pairs(status_count) do parts[#parts + 1] = string.format('"%d":%d', s, n) end
  statuses = table.concat(parts, ",")
  step = 0
end

function done(summary, latency, requests)
  local total_ok, total_failed, total_lifecycles, by_status = 0, 0, 0, {}
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_failed = total_failed + t:get("failed")
    total_lifecycles = total_lifecycles + t:get("lifecycles")
    local s = t:get("statuses")
    if s ~= "" then by_status[#by_status + 1] = "{" .. s .. "}" end
  end
  local e = summary.errors
  io.write(string.format('MOTCUA_RESULT {"ok":%d,"failed":%d,"lifecycles":%d,"requests":%d,"duration_us":%d,'
    .. '"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"socket_errors":%d,"failed_by_thread":[%s]}\n',
    total_ok, total_failed, total_lifecycles, summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    e.connect + e.read + e.write + e.timeout, table.concat(by_status, ",")))
end
