---@mod grok.preview Suggestions (editMode = "preview"): the diff beside the code, :GrokApply
local M = {}

local APPLY_TITLE = "Grok: Apply suggestion"
local WINDOW_TITLE = " Grok: Suggestion · a or :GrokApply applies · q closes "

--- The suggestion id of a preview's URI (grok-lsp writes <state dir>/previews/<id>.diff).
---@param uri string
---@return string?
function M.id_of(uri)
  return type(uri) == "string" and uri:match("/previews/(%x+)%.diff$") or nil
end

--- Suggestions shown, by id: the source buffer (when known) and the diff's buffer.
---@type table<string, {source?: integer, buf: integer}>
M.shown = {}

--- The diff's buffer: read-only, not listed, wiped when its window closes.
---@param uri string
---@return integer
local function diff_buffer(uri)
  local buf = vim.fn.bufadd(vim.uri_to_fname(uri))
  -- Not a file to edit: language servers (grok-lsp among them) leave it alone.
  vim.bo[buf].buftype = "nowrite"
  vim.bo[buf].swapfile = false
  vim.fn.bufload(buf)
  vim.bo[buf].buflisted = false
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].filetype = "diff"
  vim.bo[buf].modifiable = false
  vim.bo[buf].readonly = true
  vim.keymap.set("n", "q", "<Cmd>close<CR>", { buffer = buf, desc = "Close the Grok suggestion" })
  return buf
end

--- Show a suggestion's diff without taking the cursor: in the Grok window of its source
--- buffer when one is open (it replaces the streamed answer), else in a new one.
---@param uri string the diff's file URI
---@param source? integer the buffer the suggestion is for
function M.show(uri, source)
  local id = M.id_of(uri)
  if not id then
    return
  end
  local known = M.shown[id]
  if known and vim.api.nvim_buf_is_valid(known.buf) then
    known.source = known.source or source
    return
  end
  local buf = diff_buffer(uri)
  M.shown[id] = { source = source, buf = buf }
  vim.keymap.set("n", "a", function()
    M.apply_id(id)
  end, { buffer = buf, desc = "Grok: apply this suggestion" })
  local answer = require("grok.answer")
  local view = source and answer.for_source(source)
  local win = vim.fn.win_findbuf(buf)[1]
  if not win and view and view.win and vim.api.nvim_win_is_valid(view.win) then
    win = view.win
    vim.api.nvim_win_set_buf(win, buf)
  end
  win = win or answer.open_window(buf, WINDOW_TITLE)
  answer.set_window_title(win, WINDOW_TITLE)
  vim.wo[win].wrap = false
  require("grok.notify").notify("suggestion ready: :GrokApply applies it")
end

--- Close the diff of a suggestion that was applied or refused.
---@param id string
function M.close(id)
  local shown = M.shown[id]
  M.shown[id] = nil
  if shown and vim.api.nvim_buf_is_valid(shown.buf) then
    for _, win in ipairs(vim.fn.win_findbuf(shown.buf)) do
      pcall(vim.api.nvim_win_close, win, true)
    end
    if vim.api.nvim_buf_is_valid(shown.buf) then
      pcall(vim.api.nvim_buf_delete, shown.buf, { force = true })
    end
  end
end

--- A command's result: a suggestion is shown (if grok-lsp's showDocument did not already).
---@param bufnr integer
---@param result table
function M.on_result(bufnr, result)
  if type(result) ~= "table" or type(result.suggestion) ~= "string" then
    return
  end
  if type(result.preview) == "string" and M.id_of(result.preview) then
    M.show(result.preview, bufnr)
  else -- no diff to show (grok-lsp could not write it): the suggestion is there all the same
    require("grok.notify").notify("suggestion ready: :GrokApply applies it")
  end
  if M.shown[result.suggestion] then
    M.shown[result.suggestion].source = bufnr
  end
end

--- window/showDocument: grok-lsp opens a suggestion's diff with takeFocus false, which
--- Neovim would show in a new split; the plugin shows it in its own window instead.
--- Everything else goes to Neovim's handler.
---@param err? lsp.ResponseError
---@param params lsp.ShowDocumentParams
---@param ctx lsp.HandlerContext
function M.on_show_document(err, params, ctx)
  if type(params) == "table" and not params.external and M.id_of(params.uri) then
    M.show(params.uri, require("grok.actions").latest_buffer(ctx.client_id))
    return { success = true }
  end
  return vim.lsp.handlers["window/showDocument"](err, params, ctx)
end

--- grok.applySuggestion {uri, id}: the edit arrives as workspace/applyEdit (one undo step);
--- grok-lsp re-anchors it when the code moved, or refuses it (and says why).
---@param client vim.lsp.Client
---@param bufnr integer
---@param argument {uri: string, id: string}
function M.apply(client, bufnr, argument)
  local params = { command = "grok.applySuggestion", arguments = { argument } }
  client:request("workspace/executeCommand", params, function(err)
    M.close(argument.id)
    if err then
      require("grok.notify").notify(err.message, vim.log.levels.ERROR)
    end
  end, bufnr)
end

--- Apply a shown suggestion by id (the `a` key in its diff).
---@param id string
function M.apply_id(id)
  local shown = M.shown[id]
  local bufnr = shown and shown.source
  local client = bufnr and vim.api.nvim_buf_is_valid(bufnr) and require("grok.lsp").client(bufnr)
  if not client then
    require("grok.notify").notify(
      "the file of this suggestion is not open; use :GrokApply there",
      vim.log.levels.WARN
    )
    return
  end
  ---@cast bufnr integer
  M.apply(client, bufnr, { uri = vim.uri_from_bufnr(bufnr), id = id })
end

--- The "Grok: Apply suggestion" commands of a range, newest first (as grok-lsp lists them).
---@param client vim.lsp.Client
---@param bufnr integer
---@param range lsp.Range
---@param callback fun(commands: lsp.Command[])
local function suggestions_in(client, bufnr, range, callback)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = range,
    context = { diagnostics = {}, triggerKind = 1 },
  }
  client:request("textDocument/codeAction", params, function(err, actions)
    local commands = {}
    for _, action in ipairs(not err and actions or {}) do
      local command = action.command
      if type(command) == "table" and command.command == "grok.applySuggestion" then
        table.insert(commands, command)
      elseif action.title == APPLY_TITLE and action.command == "grok.applySuggestion" then
        table.insert(commands, action) -- a bare Command
      end
    end
    callback(commands)
  end, bufnr)
end

--- :[range]GrokApply: apply the suggestion on the range, or at the cursor, or the newest
--- one of the buffer.
---@param opts {range: integer, line1: integer, line2: integer}
function M.apply_command(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = require("grok.lsp").client(bufnr)
  if not client then
    require("grok.notify").notify(
      "grok-lsp is not attached to this buffer (see :checkhealth grok)",
      vim.log.levels.WARN
    )
    return
  end
  local actions = require("grok.actions")
  local encoding = client.offset_encoding
  local here = opts.range > 0 and opts
    or { range = 1, line1 = vim.fn.line("."), line2 = vim.fn.line(".") }
  local last = vim.api.nvim_buf_line_count(bufnr)
  local everywhere = { range = 1, line1 = 1, line2 = last }
  local function apply_first(commands, fallback)
    local command = commands[1]
    if command then
      M.apply(client, bufnr, command.arguments[1])
    elseif fallback then
      fallback()
    else
      require("grok.notify").notify("no suggestion to apply here", vim.log.levels.WARN)
    end
  end
  suggestions_in(client, bufnr, actions.range_of(bufnr, here, encoding), function(commands)
    apply_first(commands, opts.range == 0 and function()
      local range = actions.range_of(bufnr, everywhere, encoding)
      suggestions_in(client, bufnr, range, function(all)
        apply_first(all)
      end)
    end or nil)
  end)
end

return M
