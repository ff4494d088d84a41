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
  if not message:match("^Grok") then
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

return M
