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

--- The settings object as the server receives it.
---@param settings? table
---@return table
function M.server_settings(settings)
  local result = vim.deepcopy(settings or M.options.settings)
  result.streamNotifications = true
  return result
end

return M
