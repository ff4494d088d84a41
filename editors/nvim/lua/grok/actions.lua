---@mod grok.actions The :Grok commands: a range of the buffer -> workspace/executeCommand
local M = {}

local REQUEST_CANCELLED = -32800

---@class grok.Action
---@field command string
---@field title string
---@field explains boolean the answer is text to read (not an edit)

---@type table<string, grok.Action>
M.actions = {
  explain = { command = "grok.explain", title = "Grok: Explain", explains = true },
  refactor = { command = "grok.refactor", title = "Grok: Refactor", explains = false },
  fix = { command = "grok.fix", title = "Grok: Fix", explains = false },
  document = { command = "grok.document", title = "Grok: Document", explains = false },
  tests = { command = "grok.tests", title = "Grok: Tests", explains = true },
  ask = { command = "grok.ask", title = "Grok: Ask", explains = true },
  action = { command = "grok.action", title = "Grok", explains = true },
}

--- The user-defined actions of the settings (`settings.actions`).
---@return {id: string, title: string, prompt: string, result?: string}[]
function M.user_actions()
  local actions = require("grok.config").options.settings.actions
  return type(actions) == "table" and actions or {}
end

---@param id string
---@return {id: string, title: string, prompt: string, result?: string}?
local function user_action(id)
  for _, action in ipairs(M.user_actions()) do
    if action.id == id then
      return action
    end
  end
end

local ACTION_OF_COMMAND = {}
for name, action in pairs(M.actions) do
  ACTION_OF_COMMAND[action.command] = name
end

---@type table<string, {client: vim.lsp.Client, request_id: integer, bufnr: integer, seq: integer}>
M.pending = {}
local counter = 0

---@return string
local function new_token()
  counter = counter + 1
  return ("grok.nvim-%d-%d"):format(vim.uv.os_getpid(), counter)
end

---@param bufnr integer
---@return vim.lsp.Client?
local function client_or_warn(bufnr)
  local client = require("grok.lsp").client(bufnr)
  if not client then
    require("grok.notify").notify(
      "grok-lsp is not attached to this buffer (see :checkhealth grok)",
      vim.log.levels.WARN
    )
  end
  return client
end

--- An LSP position for a 0-based row and byte column of a buffer.
---@param bufnr integer
---@param row integer
---@param col integer
---@param encoding string
---@return lsp.Position
function M.position(bufnr, row, col, encoding)
  local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
  col = math.max(0, math.min(col, #line))
  return { line = row, character = vim.str_utfindex(line, encoding, col, false) }
end

--- The range of a user command: whole lines, or the exact characters of a charwise
--- visual selection. Without a range, an empty range at the cursor: grok-lsp takes the
--- block around it (the function, the class, the paragraph).
---@param bufnr integer
---@param opts {range: integer, line1: integer, line2: integer}
---@param encoding string
---@return lsp.Range
function M.range_of(bufnr, opts, encoding)
  local first, last = opts.line1, opts.line2
  if opts.range == 0 then
    local cursor = vim.api.nvim_win_get_cursor(0)
    local here = M.position(bufnr, cursor[1] - 1, cursor[2], encoding)
    return { start = here, ["end"] = here }
  end
  local start_col, end_col = 0, math.huge
  local from, to = vim.fn.getpos("'<"), vim.fn.getpos("'>")
  if opts.range == 2 and vim.fn.visualmode() == "v" and from[2] == first and to[2] == last then
    start_col = from[3] - 1
    local line = vim.api.nvim_buf_get_lines(bufnr, last - 1, last, false)[1] or ""
    if to[3] <= #line then
      end_col = to[3] + vim.str_utf_end(line, to[3])
    end
  end
  return {
    start = M.position(bufnr, first - 1, start_col, encoding),
    ["end"] = M.position(bufnr, last - 1, end_col, encoding),
  }
end

---@class grok.ExecuteOptions
---@field bufnr integer
---@field title string
---@field show boolean show the streamed answer in the answer window
---@field on_result? fun(result: table)

--- Run one grok.* command on the server, with our own progress token so that its
--- grok/stream notifications find their window.
---@param client vim.lsp.Client
---@param command string
---@param argument table
---@param opts grok.ExecuteOptions
---@return string token
function M.execute(client, command, argument, opts)
  local answer = require("grok.answer")
  local notify = require("grok.notify")
  local token = new_token()
  local view = opts.show and answer.open({ token = token, title = opts.title, source = opts.bufnr })
    or nil
  local params = { command = command, arguments = { argument }, workDoneToken = token }
  local ok, request_id = client:request("workspace/executeCommand", params, function(err, result)
    M.pending[token] = nil
    if err then
      if view then
        view:finish(err.code == REQUEST_CANCELLED and "cancelled" or "failed")
      end
      if err.code ~= REQUEST_CANCELLED then
        notify.notify(err.message, vim.log.levels.ERROR)
      end
      return
    end
    local summary = type(result) == "table"
        and require("grok.usage").summary(result.usage, result.costUsd)
      or nil
    if view then
      -- A server that did not stream still gets its answer shown.
      if view.content == "" and type(result) == "table" and type(result.text) == "string" then
        view:set_text(result.text)
      end
      view:finish("done", summary)
    end
    require("grok.preview").on_result(opts.bufnr, result)
    if opts.on_result then
      opts.on_result(result)
    end
  end, opts.bufnr)
  if ok and request_id then
    M.pending[token] =
      { client = client, request_id = request_id, bufnr = opts.bufnr, seq = counter }
  else
    notify.notify("grok-lsp has stopped (see :checkhealth grok)", vim.log.levels.ERROR)
  end
  return token
end

--- Diagnostics on the range, as LSP diagnostics, for grok.fix.
---@param bufnr integer
---@param range lsp.Range
---@return table[]
local function diagnostics_in(bufnr, range)
  local result = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local last = d.end_lnum or d.lnum
    if d.lnum <= range["end"].line and last >= range.start.line then
      local lsp = vim.tbl_get(d, "user_data", "lsp")
      table.insert(result, lsp or {
        range = {
          start = { line = d.lnum, character = d.col },
          ["end"] = { line = last, character = d.end_col or d.col },
        },
        severity = d.severity,
        message = d.message,
        source = d.source,
      })
    end
  end
  return result
end

---@class grok.RunOptions
---@field range? integer
---@field line1? integer
---@field line2? integer
---@field args? string

--- The buffer of the newest running request of a client (where a suggestion belongs).
---@param client_id integer
---@return integer?
function M.latest_buffer(client_id)
  local latest
  for _, request in pairs(M.pending) do
    if request.client.id == client_id and (not latest or request.seq > latest.seq) then
      latest = request
    end
  end
  if latest then
    return latest.bufnr
  end
  local current = vim.api.nvim_get_current_buf()
  local client = require("grok.lsp").client(current)
  return client and client.id == client_id and current or nil
end

--- :GrokAction {id} [input]: a user-defined action; without an id, pick one.
---@param opts grok.RunOptions
---@param bufnr integer
---@param client vim.lsp.Client
local function run_user_action(opts, bufnr, client)
  local args = vim.trim(opts.args or "")
  local id, input = args:match("^(%S+)%s*(.*)$")
  if not id then
    local choices = M.user_actions()
    if #choices == 0 then
      require("grok.notify").notify(
        "no actions configured (settings.actions, see :help grok-actions)",
        vim.log.levels.WARN
      )
      return
    end
    vim.ui.select(choices, {
      prompt = "Grok action",
      format_item = function(action)
        return ("%s (%s)"):format(action.title, action.id)
      end,
    }, function(choice)
      if choice then
        M.run("action", vim.tbl_extend("force", opts, { args = choice.id }))
      end
    end)
    return
  end
  local action = user_action(id)
  if action and input == "" and tostring(action.prompt):find("{input}", 1, true) then
    vim.ui.input({ prompt = action.title .. ": " }, function(text)
      if text and vim.trim(text) ~= "" then
        M.run("action", vim.tbl_extend("force", opts, { args = id .. " " .. text }))
      end
    end)
    return
  end
  local cmd = { range = opts.range or 0, line1 = opts.line1 or 1, line2 = opts.line2 or 1 }
  local argument = {
    id = id,
    uri = vim.uri_from_bufnr(bufnr),
    range = M.range_of(bufnr, cmd, client.offset_encoding),
  }
  if input ~= "" then
    argument.input = input
  end
  -- An unknown id is the server's to refuse: it names the ones it knows.
  local explains = not (action and action.result == "edit")
  return M.execute(client, "grok.action", argument, {
    bufnr = bufnr,
    title = "Grok: " .. (action and action.title or id),
    show = explains or require("grok.config").options.window.show_edits,
  })
end

--- One of the :Grok range commands.
---@param name "explain"|"refactor"|"fix"|"document"|"tests"|"ask"|"action"
---@param opts grok.RunOptions
function M.run(name, opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  if name == "action" then
    return run_user_action(opts, bufnr, client)
  end
  local action = M.actions[name]
  local argument = { uri = vim.uri_from_bufnr(bufnr) }
  local cmd = { range = opts.range or 0, line1 = opts.line1 or 1, line2 = opts.line2 or 1 }
  local args = vim.trim(opts.args or "")
  if name ~= "ask" or cmd.range > 0 then
    argument.range = M.range_of(bufnr, cmd, client.offset_encoding)
  end
  if name == "refactor" and args ~= "" then
    argument.instruction = args
  elseif name == "fix" then
    argument.diagnostics = diagnostics_in(bufnr, argument.range)
  elseif name == "ask" then
    if args == "" then
      vim.ui.input({ prompt = "Ask Grok: " }, function(question)
        if question and vim.trim(question) ~= "" then
          M.run("ask", vim.tbl_extend("force", opts, { args = question }))
        end
      end)
      return
    end
    argument.question = args
  end
  local show = action.explains or require("grok.config").options.window.show_edits
  return M.execute(
    client,
    action.command,
    argument,
    { bufnr = bufnr, title = action.title, show = show }
  )
end

--- A grok.* command of a code action (vim.lsp.buf.code_action()).
---@param command lsp.Command
---@param ctx {bufnr: integer, client_id: integer}
function M.run_lsp_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local argument = (command.arguments or {})[1] or vim.empty_dict()
  if command.command == "grok.applySuggestion" then
    return require("grok.preview").apply(client, ctx.bufnr, argument)
  end
  local action = M.actions[ACTION_OF_COMMAND[command.command] or ""]
  local explains = action ~= nil and action.explains
  if command.command == "grok.action" then
    local configured = user_action(tostring(argument.id))
    explains = not (configured and configured.result == "edit")
  end
  local show = explains or require("grok.config").options.window.show_edits
  M.execute(client, command.command, argument, {
    bufnr = ctx.bufnr,
    title = command.title or (action and action.title) or "Grok",
    show = show,
  })
end

--- A request's progress ended. Neovim never calls back a request that the server answered
--- with RequestCancelled, so this is where a cancelled one is forgotten.
---@param token string
---@param message? string
function M.on_progress_end(token, message)
  if message and message:match("^Cancelled") then
    M.pending[token] = nil
  end
end

--- :GrokCancel stops this buffer's requests ($/cancelRequest); :GrokCancel! asks the
--- server to stop every running request (grok.cancel), whoever started it.
---@param all boolean
function M.cancel(all)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  local cancelled = 0
  if not all then
    for _, request in pairs(M.pending) do
      if request.bufnr == bufnr and request.client.id == client.id then
        client:cancel_request(request.request_id)
        cancelled = cancelled + 1
      end
    end
    if cancelled > 0 then
      return
    end
  end
  local argument = all and vim.empty_dict() or { uri = vim.uri_from_bufnr(bufnr) }
  local params = { command = "grok.cancel", arguments = { argument } }
  client:request("workspace/executeCommand", params, function(err, result)
    if err then
      require("grok.notify").notify(err.message, vim.log.levels.ERROR)
    elseif type(result) == "table" and result.cancelled == 0 then
      require("grok.notify").notify("nothing to cancel")
    end
  end, bufnr)
end

--- :GrokConversation: the transcript of this buffer's conversation. The server opens it
--- (window/showDocument); without a transcript the turns go to the answer window.
function M.conversation()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  local argument = { uri = vim.uri_from_bufnr(bufnr) }
  M.execute(client, "grok.conversation.show", argument, {
    bufnr = bufnr,
    title = "Grok: Conversation",
    show = false,
    on_result = function(result)
      if type(result) ~= "table" then
        return
      end
      if type(result.usage) == "table" and (tonumber(result.usage.requests) or 0) > 0 then
        local usage = require("grok.usage")
        local name = type(result.title) == "string" and result.title ~= "" and result.title
          or vim.fn.expand("%:t")
        require("grok.notify").notify(
          ("conversation %q: %s"):format(name, usage.totals_line(result.usage))
        )
      end
      if result.transcript ~= nil then
        return
      end
      local lines = {}
      for _, turn in ipairs(result.turns or {}) do
        table.insert(lines, "## " .. turn.role)
        table.insert(lines, "")
        table.insert(lines, turn.content)
        table.insert(lines, "")
      end
      local view = require("grok.answer").open({
        token = "conversation-" .. bufnr,
        title = "Grok: Conversation",
        source = bufnr,
      })
      view:set_text(#lines > 0 and table.concat(lines, "\n") or "_No conversation yet._")
      view:finish("done")
    end,
  })
end

--- :GrokReset
function M.reset()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  M.execute(client, "grok.conversation.reset", { uri = vim.uri_from_bufnr(bufnr) }, {
    bufnr = bufnr,
    title = "Grok: Reset",
    show = false,
    on_result = function()
      require("grok.notify").notify("conversation reset for " .. vim.fn.expand("%:t"))
    end,
  })
end

--- :GrokUsage: the tokens and cost of this session, in total and by model.
function M.usage()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  M.execute(client, "grok.usage", vim.empty_dict(), {
    bufnr = bufnr,
    title = "Grok: Usage",
    show = false,
    on_result = function(result)
      if type(result) == "table" then
        require("grok.notify").notify(table.concat(require("grok.usage").report(result), "\n"))
      end
    end,
  })
end

--- Models seen in the last grok.models answer (for completing :GrokModels).
---@type string[]
M.known_models = {}

--- :GrokModels: pick the model for the next requests; :GrokModels {name} sets it.
---@param name? string a model or an alias (settings.modelAliases)
function M.models(name)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_or_warn(bufnr)
  if not client then
    return
  end
  if name and name ~= "" then
    return M.set_model(client, name)
  end
  M.execute(client, "grok.models", vim.empty_dict(), {
    bufnr = bufnr,
    title = "Grok: Models",
    show = false,
    on_result = function(result)
      if type(result) ~= "table" then
        return
      end
      M.known_models = result.models or {}
      local aliases = require("grok.config").options.settings.modelAliases or {}
      -- The aliases first, then the models in the server's order.
      local items = vim.tbl_keys(aliases)
      table.sort(items)
      vim.list_extend(items, M.known_models)
      vim.ui.select(items, {
        prompt = ("Grok model (now %s)"):format(result.current or "?"),
        format_item = function(item)
          if aliases[item] then
            return ("%s -> %s"):format(item, aliases[item])
          end
          return item == result.current and item .. " (current)" or item
        end,
      }, function(choice)
        if choice then
          M.set_model(client, choice)
        end
      end)
    end,
  })
end

--- :GrokSetKey: ask for the xAI API key (hidden input), keep it in this Neovim's environment
--- and restart grok-lsp with it there: the key never travels in a JSON-RPC message, where
--- a client's trace (vim.lsp.log at "trace") would show it.
function M.set_key()
  local key = vim.trim(vim.fn.inputsecret("xAI API key: ") or "")
  if key == "" then
    require("grok.notify").notify("no key entered; nothing changed")
    return
  end
  vim.env.XAI_API_KEY = key
  require("grok.lsp").restart()
  require("grok.notify").notify(
    "API key set for this session; grok-lsp restarted (export XAI_API_KEY to keep it)"
  )
end

--- Use another model from the next request on (workspace/didChangeConfiguration).
---@param client vim.lsp.Client
---@param model string
function M.set_model(client, model)
  local settings = vim.tbl_deep_extend("force", client.settings.grok or {}, { model = model })
  client.settings.grok = settings
  require("grok.config").options.settings.model = model
  client:notify("workspace/didChangeConfiguration", { settings = { grok = settings } })
  require("grok.notify").notify("model: " .. model)
end

return M
