---@mod grok.config Options of require("grok").setup()
local M = {}

---@class grok.Keymaps
---@field explain? string
---@field refactor? string
---@field fix? string
---@field document? string
---@field tests? string
---@field ask? string
---@field cancel? string
---@field apply? string :GrokApply

---@class grok.InlineCompletionOptions
---@field enabled boolean ghost text from grok-lsp (vim.lsp.inline_completion, Neovim 0.12)
---@field debounce_ms integer the server's wait before asking; Neovim already waits 200 ms
---@field model? string a faster model for completions (default: the chat model)
---@field accept string|false Insert-mode key that accepts the ghost text (false: none)

---@class grok.WindowOptions
---@field layout "float"|"split"|"vsplit" where the answer is shown
---@field width number columns, or a fraction of the editor's width
---@field height number lines, or a fraction of the editor's height
---@field border string|string[]
---@field show_edits boolean also show the streamed answer of refactor, fix and document

---@class grok.Options
---@field cmd string[] how to start the server
---@field filetypes? string[] nil: every filetype
---@field root_markers? string[]
---@field settings table grok-lsp settings (camelCase), sent as initializationOptions
---@field keymaps grok.Keymaps|false buffer-local mappings set when grok-lsp attaches
---@field window grok.WindowOptions
---@field inline_completion grok.InlineCompletionOptions

---@type grok.Options
M.defaults = {
  cmd = { "grok-lsp" },
  filetypes = nil,
  root_markers = { ".git" },
  settings = {
    -- The answer window shows explanations live; the server need not also open its transcript.
    resultDisplay = "none",
  },
  keymaps = false,
  window = {
    layout = "float",
    width = 0.45,
    height = 0.8,
    border = "rounded",
    show_edits = false,
  },
  inline_completion = {
    enabled = false,
    debounce_ms = 0,
    model = nil,
    accept = "<Tab>",
  },
}

---@type grok.Options
M.options = vim.deepcopy(M.defaults)

---@param opts? table
---@return grok.Options
function M.set(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  -- Lists are replaced, not merged index by index.
  if opts and opts.cmd then
    M.options.cmd = opts.cmd
  end
  if opts and opts.filetypes then
    M.options.filetypes = opts.filetypes
  end
  return M.options
end

--- Whether ghost text is on: `inline_completion.enabled`, or the server setting itself.
---@param options? grok.Options
---@return boolean
function M.inline_enabled(options)
  options = options or M.options
  local inline = options.inline_completion or {}
  return inline.enabled == true
    or vim.tbl_get(options.settings or {}, "inlineCompletion", "enabled") == true
end

--- The settings object as the server receives it.
---@param options? grok.Options
---@return table
function M.server_settings(options)
  options = options or M.options
  local result = vim.deepcopy(options.settings or {})
  result.streamNotifications = true
  if M.inline_enabled(options) then
    local inline = options.inline_completion or {}
    -- What the user wrote in settings.inlineCompletion wins over the shorthand.
    result.inlineCompletion = vim.tbl_extend("force", {
      enabled = true,
      debounceMs = inline.debounce_ms,
      model = inline.model,
    }, result.inlineCompletion or {})
  end
  return result
end

return M
