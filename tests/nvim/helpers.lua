-- What a scenario script uses: bounded waits, captured notifications, and the result file.
local T = {}

T.notifications = {}
local notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(T.notifications, { message = message, level = level or vim.log.levels.INFO })
  return notify(message, level, opts)
end

-- vim.ui.select would block a headless Neovim (inputlist): record what was offered and
-- choose the item titled T.choose (nothing by default). A scenario may replace it again.
T.selections = {}
T.choose = nil
vim.ui.select = function(items, opts, on_choice)
  local chosen
  for _, item in ipairs(items) do
    local title = opts and opts.format_item and opts.format_item(item) or tostring(item)
    table.insert(T.selections, { prompt = opts and opts.prompt, title = title })
    if title == T.choose then
      chosen = item
    end
  end
  on_choice(chosen)
end

--- Wait until `condition()` is true, or fail the scenario saying what did not happen.
---@param what string
---@param condition fun(): any
---@param timeout_ms? integer
function T.wait(what, condition, timeout_ms)
  local ok = vim.wait(timeout_ms or 15000, condition, 20)
  if not ok then
    error("timed out waiting for " .. what, 2)
  end
end

---@param bufnr? integer
---@return vim.lsp.Client
function T.client(bufnr)
  return vim.lsp.get_clients({ name = "grok", bufnr = bufnr or 0 })[1]
end

--- Open a file and wait for grok-lsp to attach to it.
---@param path string
---@return integer bufnr
function T.edit(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  T.wait("grok-lsp to attach", function()
    local client = T.client(bufnr)
    return client and client.initialized
  end, 30000)
  return bufnr
end

---@param bufnr? integer
---@return string[]
function T.lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr or 0, 0, -1, false)
end

--- The answer view of the newest request about a buffer.
---@param source? integer
---@return grok.AnswerView?
function T.answer(source)
  return require("grok.answer").for_source(source or vim.api.nvim_get_current_buf())
end

--- Wait for the answer of the newest request about the buffer to finish.
---@param source? integer
---@return grok.AnswerView
function T.finished_answer(source)
  T.wait("the answer to finish", function()
    local view = T.answer(source)
    return view and view.state ~= "streaming"
  end)
  return assert(T.answer(source))
end

--- Wait until no Grok request is running on the server.
function T.idle()
  T.wait("Grok requests to end", function()
    return next(require("grok.actions").pending) == nil
  end)
end

--- Windows showing a buffer, with whether they float.
---@param buf integer
---@return {floating: boolean}[]
function T.windows_of(buf)
  local result = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    table.insert(result, { floating = vim.api.nvim_win_get_config(win).relative ~= "" })
  end
  return result
end

local function write(result)
  result.notifications = T.notifications
  result.selections = T.selections
  local file = assert(io.open(vim.env.GROK_TEST_RESULT, "w"))
  file:write(vim.json.encode(result))
  file:close()
end

--- Run the scenario; write what it returns (or its error) for pytest, then quit.
---@param scenario fun(): table
function T.run(scenario)
  local ok, result = xpcall(scenario, debug.traceback)
  if ok then
    write(result or {})
  else
    write({ error = tostring(result) })
  end
  vim.cmd("qa!")
end

--- The coroutine of an asynchronous scenario, resumed until it ends.
---@param co thread
local function resume(co)
  local ok, result = coroutine.resume(co)
  if not ok then
    write({ error = debug.traceback(co, tostring(result)) })
    vim.cmd("qa!")
  elseif coroutine.status(co) == "dead" then
    write(result or {})
    vim.cmd("qa!")
  end
end

--- Run a scenario that needs Neovim's main loop between its steps (Insert mode, typed
--- keys, autocommands): it runs in a coroutine, and T.sleep and T.await yield to the loop
--- where T.wait would block it.
---@param scenario fun(): table
function T.run_async(scenario)
  local co = coroutine.create(scenario)
  vim.schedule(function()
    resume(co)
  end)
end

--- Let the main loop run for `ms` milliseconds (asynchronous scenarios only).
---@param ms integer
function T.sleep(ms)
  local co = assert(coroutine.running(), "T.sleep outside T.run_async")
  vim.defer_fn(function()
    resume(co)
  end, ms)
  coroutine.yield()
end

--- Like T.wait, but yielding to the main loop (asynchronous scenarios only).
---@param what string
---@param condition fun(): any
---@param timeout_ms? integer
---@return any
function T.await(what, condition, timeout_ms)
  local deadline = vim.uv.now() + (timeout_ms or 15000)
  while true do
    local value = condition()
    if value then
      return value
    end
    if vim.uv.now() > deadline then
      error("timed out waiting for " .. what, 2)
    end
    T.sleep(20)
  end
end

return T
