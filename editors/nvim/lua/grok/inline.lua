---@mod grok.inline Ghost-text completion through Neovim's vim.lsp.inline_completion (0.12)
local M = {}

--- Neovim's inline completion module, when this Neovim has one (0.12 and newer).
---@return table?
function M.api()
  local ok, module = pcall(require, "vim.lsp.inline_completion")
  return ok and module or nil
end

--- Accept the ghost text; without one, the key does what it does without the mapping.
---@param lhs string
---@return fun(): string?
local function accept(lhs)
  return function()
    local api = M.api()
    if api and api.get() then
      return ""
    end
    return lhs
  end
end

--- grok-lsp attached to a buffer: turn inline completion on there and map the accept key.
---@param client vim.lsp.Client
---@param bufnr integer
function M.on_attach(client, bufnr)
  local config = require("grok.config")
  if not config.inline_enabled() then
    return
  end
  local api = M.api()
  if not api then
    vim.notify_once(
      "Grok: inline completion needs Neovim 0.12 (vim.lsp.inline_completion)",
      vim.log.levels.WARN
    )
    return
  end
  if not client:supports_method("textDocument/inlineCompletion") then
    return
  end
  -- Enabled for the buffer, as Neovim's own docs suggest; the requests go to every
  -- client of the buffer that offers inline completion.
  api.enable(true, { bufnr = bufnr })
  local lhs = config.options.inline_completion.accept
  if lhs then
    vim.keymap.set("i", lhs, accept(lhs), {
      buffer = bufnr,
      expr = true,
      desc = "Grok: accept the inline completion",
    })
  end
end

return M
