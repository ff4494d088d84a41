---@mod grok.notify Messages to the user, each shown once
local M = {}

-- The server shows a failure with window/showMessage and also answers the request with
-- an error carrying the same words: show them once.
local DUPLICATE_WINDOW_MS = 5000
---@type table<string, integer>
local shown = {}

---@param message string
---@return string
local function key(message)
  return (message:gsub("^Grok:%s*", ""))
end

---@param message string
---@param level? integer vim.log.levels
function M.notify(message, level)
  local now = vim.uv.now()
  local k = key(message)
  if shown[k] and now - shown[k] < DUPLICATE_WINDOW_MS then
    return
  end
  shown[k] = now
  -- "Grok" once: a message that names a :Grok command already says whose it is.
  if not message:find("Grok", 1, true) then
    message = "Grok: " .. message
  end
  vim.notify(message, level or vim.log.levels.INFO, { title = "Grok" })
end

local LEVELS = {
  [1] = vim.log.levels.ERROR,
  [2] = vim.log.levels.WARN,
  [3] = vim.log.levels.INFO,
  [4] = vim.log.levels.DEBUG,
}

--- window/showMessage from grok-lsp.
---@param params lsp.ShowMessageParams
function M.on_show_message(_, params, _)
  M.notify(params.message, LEVELS[params.type] or vim.log.levels.INFO)
  return vim.NIL
end

-- The buttons grok-lsp offers with a failure (its neutral titles) that the plugin acts on;
-- the server acts on the others ("Retry", "Sign in to grok.com") when they are returned.
M.actions = {
  ["Set API Key"] = function()
    vim.cmd("GrokSetKey")
  end,
  ["Open Settings"] = function()
    if not pcall(vim.cmd.help, "grok-setup") then -- no help tags: the plugin manager makes them
      M.notify("settings: see :help grok-setup (after :helptags ALL)")
    end
  end,
}

--- window/showMessageRequest from grok-lsp: the message, then its button offered with
--- vim.ui.select. Always answered (with the chosen item or null), so the server never waits.
---@param params lsp.ShowMessageRequestParams
function M.on_message_request(_, params, _)
  M.notify(params.message, LEVELS[params.type] or vim.log.levels.INFO)
  local actions = params.actions or {}
  local co, is_main = coroutine.running()
  if #actions == 0 or not co or is_main then
    return vim.NIL
  end
  local first_line = vim.split(params.message, "\n", { plain = true })[1]
  vim.ui.select(actions, {
    prompt = first_line,
    kind = "grok_action",
    format_item = function(action)
      return action.title
    end,
  }, function(choice)
    -- resumed later: a synchronous vim.ui.select calls back before the yield below
    vim.schedule(function()
      coroutine.resume(co, choice or vim.NIL)
    end)
  end)
  local choice = coroutine.yield()
  local act = choice ~= vim.NIL and M.actions[choice.title] or nil
  if act then
    vim.schedule(act)
  end
  return choice
end

return M
