---@mod grok.answer The live answer window, fed by grok/stream notifications
local M = {}

local ns = vim.api.nvim_create_namespace("grok.answer")

---@class grok.AnswerView
---@field token string
---@field title string
---@field buf integer
---@field win? integer
---@field source? integer the buffer that was asked about
---@field reasoning_rows integer lines of reasoning shown above the answer (0: none)
---@field content string the answer so far
---@field reasoning string the reasoning so far
---@field state "streaming"|"done"|"cancelled"|"failed"
---@field summary? string tokens and cost of the finished request
local View = {}
View.__index = View

---@type table<string, grok.AnswerView> by progress token
M.views = {}
--- One answer buffer per source buffer: a new question replaces the last answer.
---@type table<integer, integer>
local buffer_of_source = {}
--- Requests whose answer was replaced by a newer one: their late text is dropped.
---@type table<string, true>
local retired = {}

local function set_highlights()
  vim.api.nvim_set_hl(0, "GrokReasoning", { link = "Comment", default = true })
  vim.api.nvim_set_hl(0, "GrokAnswerStatus", { link = "FloatFooter", default = true })
end

---@param size number
---@param total integer
local function dimension(size, total)
  if size <= 1 then
    return math.max(1, math.floor(total * size))
  end
  return math.min(math.floor(size), total)
end

---@param source? integer
---@return integer
local function answer_buffer(source)
  local buf = source and buffer_of_source[source]
  if buf and vim.api.nvim_buf_is_valid(buf) then
    return buf
  end
  buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = "hide"
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].swapfile = false
  local name = source and vim.api.nvim_buf_get_name(source) or ""
  pcall(vim.api.nvim_buf_set_name, buf, ("grok://answer/%d/%s"):format(buf, vim.fs.basename(name)))
  vim.keymap.set("n", "q", "<Cmd>close<CR>", { buffer = buf, desc = "Close the Grok answer" })
  if source then
    buffer_of_source[source] = buf
  end
  return buf
end

---@return string
function View:window_title()
  local marks = { streaming = " …", done = "", cancelled = " (cancelled)", failed = " (failed)" }
  return " " .. self.title .. marks[self.state] .. " "
end

--- A window for a Grok buffer, as `window.layout` says, without taking the cursor.
---@param buf integer
---@param title string
---@return integer win
function M.open_window(buf, title)
  local options = require("grok.config").options.window
  local current = vim.api.nvim_get_current_win()
  local win
  if options.layout == "float" then
    local width = dimension(options.width, vim.o.columns)
    local height = dimension(options.height, vim.o.lines - 2)
    win = vim.api.nvim_open_win(buf, false, {
      relative = "editor",
      row = 1,
      col = math.max(0, vim.o.columns - width - 2),
      width = width,
      height = height,
      border = options.border,
      title = title,
      title_pos = "center",
      style = "minimal",
    })
  else
    local vertical = options.layout == "vsplit"
    local total = vertical and vim.o.columns or vim.o.lines
    win = vim.api.nvim_open_win(buf, false, {
      split = vertical and "right" or "below",
      win = -1,
      [vertical and "width" or "height"] = dimension(
        vertical and options.width or options.height,
        total
      ),
    })
  end
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.wo[win].conceallevel = 2
  M.set_window_title(win, title)
  vim.api.nvim_set_current_win(current)
  return win
end

--- The title of a Grok window and, on the right, a footer (a float's border, a split's
--- winbar).
---@param win integer
---@param title string
---@param footer? string
function M.set_window_title(win, title, footer)
  if not vim.api.nvim_win_is_valid(win) then
    return
  end
  footer = footer and footer ~= "" and (" " .. footer .. " ") or nil
  if vim.api.nvim_win_get_config(win).relative ~= "" then
    vim.api.nvim_win_set_config(win, {
      title = title,
      title_pos = "center",
      footer = footer or "",
      footer_pos = "right",
    })
  else
    local bar = title:gsub("%%", "%%%%")
    if footer then
      bar = bar .. "%=" .. footer:gsub("%%", "%%%%")
    end
    vim.wo[win].winbar = "%#GrokAnswerStatus#" .. bar
  end
end

function View:show()
  if self.win and vim.api.nvim_win_is_valid(self.win) then
    -- The window may show a suggestion's diff by now: bring the answer back.
    if vim.api.nvim_win_get_buf(self.win) ~= self.buf then
      vim.api.nvim_win_set_buf(self.win, self.buf)
      self:update_title()
    end
    return
  end
  local existing = vim.fn.win_findbuf(self.buf)[1]
  if existing then
    self.win = existing
    return
  end
  self.win = M.open_window(self.buf, self:window_title())
end

function View:update_title()
  if self.win and vim.api.nvim_win_is_valid(self.win) then
    if vim.api.nvim_win_get_buf(self.win) == self.buf then
      M.set_window_title(self.win, self:window_title(), self.summary)
    end
  end
end

--- Keep the newest text in sight unless the user is reading in the window.
function View:follow()
  if not (self.win and vim.api.nvim_win_is_valid(self.win)) then
    return
  end
  if vim.api.nvim_get_current_win() == self.win then
    return
  end
  vim.api.nvim_win_set_cursor(self.win, { vim.api.nvim_buf_line_count(self.buf), 0 })
end

---@param first integer
---@param last integer exclusive
---@param lines string[]
function View:set_lines(first, last, lines)
  vim.bo[self.buf].modifiable = true
  vim.api.nvim_buf_set_lines(self.buf, first, last, false, lines)
  vim.bo[self.buf].modifiable = false
end

--- Reasoning goes above the answer, dimmed, with an empty line between them.
---@param delta string
function View:add_reasoning(delta)
  self.reasoning = self.reasoning .. delta
  if self.reasoning_rows == 0 then
    local lines = vim.split(delta, "\n", { plain = true })
    table.insert(lines, "")
    self:set_lines(0, 0, lines)
    self.reasoning_rows = #lines - 1
  else
    local row = self.reasoning_rows - 1
    local last = vim.api.nvim_buf_get_lines(self.buf, row, row + 1, false)[1]
    local lines = vim.split(last .. delta, "\n", { plain = true })
    self:set_lines(row, row + 1, lines)
    self.reasoning_rows = self.reasoning_rows + #lines - 1
  end
  local last_row = self.reasoning_rows - 1
  local last_line = vim.api.nvim_buf_get_lines(self.buf, last_row, last_row + 1, false)[1]
  vim.api.nvim_buf_set_extmark(self.buf, ns, 0, 0, {
    id = 1,
    end_row = last_row,
    end_col = #last_line,
    hl_group = "GrokReasoning",
    hl_eol = true,
    priority = 200,
  })
end

---@param delta string
function View:add_content(delta)
  self.content = self.content .. delta
  local row = vim.api.nvim_buf_line_count(self.buf) - 1
  local last = vim.api.nvim_buf_get_lines(self.buf, row, row + 1, false)[1]
  self:set_lines(row, row + 1, vim.split(last .. delta, "\n", { plain = true }))
end

---@param kind "content"|"reasoning"
---@param delta string
function View:append(kind, delta)
  if kind == "reasoning" then
    self:add_reasoning(delta)
  else
    self:add_content(delta)
  end
  self:show()
  self:follow()
end

--- Replace the whole text (a result that was not streamed, or a conversation).
---@param text string
function View:set_text(text)
  self.content = text
  self.reasoning = ""
  self.reasoning_rows = 0
  vim.api.nvim_buf_clear_namespace(self.buf, ns, 0, -1)
  self:set_lines(0, -1, vim.split(text, "\n", { plain = true }))
  self:show()
end

---@param state "done"|"cancelled"|"failed"
---@param summary? string tokens and cost, shown in the footer
function View:finish(state, summary)
  if summary and summary ~= "" then
    self.summary = summary
  end
  if self.state == "streaming" then
    self.state = state
  end
  self:update_title()
end

---@class grok.AnswerOpenOptions
---@field token string
---@field title string
---@field source? integer
---@field show? boolean open the window now rather than on the first text

--- A new answer view; the window opens at once or when the first text arrives.
---@param opts grok.AnswerOpenOptions
---@return grok.AnswerView
function M.open(opts)
  set_highlights()
  local view = setmetatable({
    token = opts.token,
    title = opts.title,
    source = opts.source,
    buf = answer_buffer(opts.source),
    reasoning_rows = 0,
    content = "",
    reasoning = "",
    state = "streaming",
  }, View)
  -- A new request on the same document replaces the previous answer.
  for token, other in pairs(M.views) do
    if other.buf == view.buf then
      view.win = other.win
      M.views[token] = nil
      retired[token] = true
    end
  end
  vim.api.nvim_buf_clear_namespace(view.buf, ns, 0, -1)
  view:set_lines(0, -1, { "" })
  view:update_title()
  M.views[opts.token] = view
  if opts.show then
    view:show()
  end
  return view
end

--- grok/stream: {token, uri, kind, delta}. A stream nobody asked for here (a code action
--- run by another path) still gets a window.
---@param params {token: string, uri: string, kind: string, delta: string}
function M.on_stream(_, params, _)
  if type(params) ~= "table" or type(params.delta) ~= "string" then
    return vim.NIL
  end
  local token = tostring(params.token)
  local view = M.views[token]
  if retired[token] then
    return vim.NIL
  end
  if not view then
    local source = params.uri and vim.uri_to_bufnr(params.uri) or nil
    view = M.open({ token = token, title = "Grok", source = source })
  end
  if view.state == "streaming" then
    view:append(params.kind == "reasoning" and "reasoning" or "content", params.delta)
  end
  return vim.NIL
end

--- The progress of a request ended; its message says how (Done, Cancelled, Failed).
---@param token string
---@param message? string
function M.on_progress_end(token, message)
  local view = M.views[token]
  if not view then
    return
  end
  local word = message and message:match("^(%a+)") or "Done"
  local state = ({ Cancelled = "cancelled", Failed = "failed" })[word] or "done"
  view:finish(state, require("grok.usage").from_message(message))
end

---@param token string
---@return grok.AnswerView?
function M.get(token)
  return M.views[token]
end

--- The view of the newest request about a buffer.
---@param source integer
---@return grok.AnswerView?
function M.for_source(source)
  local buf = buffer_of_source[source]
  for _, view in pairs(M.views) do
    if view.buf == buf then
      return view
    end
  end
end

return M
