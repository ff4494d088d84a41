---@mod grok.lsp The vim.lsp.Config of grok-lsp: handlers for its notifications and commands
local M = {}

--- workspace/applyEdit as Neovim does it, but one `u` undoes the whole edit: the undo
--- sequence is broken before it (so it never joins what the user typed last) and the
--- edits of each buffer are joined into one undo block.
---@param params lsp.ApplyWorkspaceEditParams
---@param ctx lsp.HandlerContext
function M.apply_edit(_, params, ctx)
  local client = assert(vim.lsp.get_client_by_id(ctx.client_id))
  local buffers = {} ---@type integer[]
  for _, change in ipairs(params.edit.documentChanges or {}) do
    if change.textDocument and change.edits then
      table.insert(buffers, vim.uri_to_bufnr(change.textDocument.uri))
    end
  end
  for uri in pairs(params.edit.changes or {}) do
    table.insert(buffers, vim.uri_to_bufnr(uri))
  end
  for _, buf in ipairs(buffers) do
    if vim.api.nvim_buf_is_loaded(buf) then
      vim.api.nvim_buf_call(buf, function()
        -- :help undo-break
        vim.o.undolevels = vim.o.undolevels
      end)
    end
  end
  local ok, failure = pcall(vim.lsp.util.apply_workspace_edit, params.edit, client.offset_encoding)
  if ok and params.label then
    require("grok.notify").notify(params.label .. " applied (u undoes it)")
  end
  return { applied = ok, failureReason = not ok and tostring(failure) or nil }
end

---@type table<string, lsp.Handler>
M.handlers = {
  ["grok/stream"] = function(...)
    return require("grok.answer").on_stream(...)
  end,
  ["workspace/applyEdit"] = function(...)
    return M.apply_edit(...)
  end,
  ["window/showMessage"] = function(...)
    return require("grok.notify").on_show_message(...)
  end,
  ["window/showMessageRequest"] = function(...)
    return require("grok.notify").on_message_request(...)
  end,
  ["window/showDocument"] = function(...)
    return require("grok.preview").on_show_document(...)
  end,
}

-- Commands of code actions run here rather than going straight to the server, so that
-- they open the answer window and report failures like the :Grok commands do.
local CODE_ACTION_COMMANDS = {
  "grok.explain",
  "grok.refactor",
  "grok.fix",
  "grok.document",
  "grok.tests",
  "grok.ask",
  "grok.action",
  "grok.applySuggestion",
}

---@return table<string, fun(command: lsp.Command, ctx: table)>
function M.commands()
  local commands = {}
  for _, name in ipairs(CODE_ACTION_COMMANDS) do
    commands[name] = function(command, ctx)
      require("grok.actions").run_lsp_command(command, ctx)
    end
  end
  return commands
end

--- The full config, as lsp/grok.lua returns it and setup() extends it.
---@param options? grok.Options
---@return vim.lsp.Config
function M.config(options)
  local config = require("grok.config")
  options = options or config.options
  local settings = config.server_settings(options)
  return {
    cmd = options.cmd,
    -- Secrets travel in the server's environment, never in a JSON-RPC message a trace shows.
    cmd_env = { XAI_API_KEY = vim.env.XAI_API_KEY, GROK_WEB_COOKIES = vim.env.GROK_WEB_COOKIES },
    filetypes = options.filetypes,
    root_markers = options.root_markers,
    init_options = settings,
    settings = { grok = settings },
    handlers = M.handlers,
    commands = M.commands(),
  }
end

--- Start grok-lsp again with the environment Neovim has now (after :GrokSetKey): the key
--- reaches the server in its environment, so a new process is the way to hand it over.
function M.restart()
  local buffers = {} ---@type integer[]
  for _, client in ipairs(vim.lsp.get_clients({ name = "grok" })) do
    vim.list_extend(buffers, vim.tbl_keys(client.attached_buffers))
  end
  vim.lsp.enable("grok", false) -- stops the running clients
  vim.wait(5000, function()
    return #vim.lsp.get_clients({ name = "grok" }) == 0
  end, 20)
  vim.lsp.config("grok", {
    cmd_env = { XAI_API_KEY = vim.env.XAI_API_KEY, GROK_WEB_COOKIES = vim.env.GROK_WEB_COOKIES },
  })
  vim.lsp.enable("grok")
  -- enable() re-attaches open buffers only once Neovim has entered (v:vim_did_enter): do it
  -- for the buffers grok-lsp had, in any case (a second start reuses the same client).
  for _, buf in ipairs(buffers) do
    if vim.api.nvim_buf_is_valid(buf) then
      pcall(vim.api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = buf })
    end
  end
end

--- The grok-lsp client attached to a buffer.
---@param bufnr? integer
---@return vim.lsp.Client?
function M.client(bufnr)
  return vim.lsp.get_clients({ name = "grok", bufnr = bufnr or 0 })[1]
end

return M
