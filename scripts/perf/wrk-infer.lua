-- wrk script: posts one message per request as an Open Inference Protocol body, cycling through a
-- file of messages (one per line), so an independent C client loads the server as `intent bench` does.
--
--   wrk -t2 -c16 -d30s -s scripts/perf/wrk-infer.lua http://127.0.0.1:8000 -- messages.txt clinc150
local bodies = {}
local next_body = 0
local threads = 0

-- Runs once per thread, in the main Lua state, before the threads start: numbers them.
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('%c', ' ') .. '"'
end

function init(args)
  local file, model = args[1], args[2] or "clinc150"
  if file == nil then
    error("usage: wrk ... -s wrk-infer.lua URL -- MESSAGES_FILE [MODEL]")
  end
  for line in io.lines(file) do
    if #line > 0 then
      bodies[#bodies + 1] = '{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":[' .. json_string(line) .. ']}]}'
    end
  end
  wrk.method = "POST"
  wrk.path = "/v2/models/" .. model .. "/infer"
  wrk.headers["Content-Type"] = "application/json"
  -- Threads start at different messages (math.random is unseeded, so it would give each thread
  -- the same start).
  next_body = (thread_index * 997) % #bodies
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end
