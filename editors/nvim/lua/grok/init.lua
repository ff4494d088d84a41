---@mod grok Grok in Neovim, through grok-lsp
local M = {}

--- Configure and enable grok-lsp (vim.lsp.config + vim.lsp.enable).
---@param opts? grok.Options
function M.setup(opts)
  require("grok.commands").define()
  local options = require("grok.config").set(opts)
  vim.lsp.config("grok", require("grok.lsp").config(options))
  vim.lsp.enable("grok")
end

--- A statusline component: the running Grok request and the last words of its answer.
---@param opts? {max_width?: integer}
---@return string
function M.statusline(opts)
  return require("grok.status").statusline(opts)
end

--- Run an action on a range from Lua, like the :Grok commands do.
---@param name "explain"|"refactor"|"fix"|"document"|"tests"|"ask"
---@param opts? grok.RunOptions
function M.run(name, opts)
  return require("grok.actions").run(name, opts or {})
end

--- Cancel this buffer's requests (or all of them).
---@param all? boolean
function M.cancel(all)
  require("grok.actions").cancel(all == true)
end

return M
