---@mod grok.status Work-done progress of grok-lsp, for the statusline
local M = {}

---@class grok.Progress
---@field title string
---@field message? string

---@type table<string, grok.Progress> by "client_id:token"
local active = {}
local order = {} ---@type string[]
--- Tokens and cost of the last request that finished ("120 + 45 tokens · $0.0007").
---@type string?
M.last = nil

---@param args {data: {client_id: integer, params: lsp.ProgressParams}}
function M.on_progress(args)
  local data = args.data
  local client = vim.lsp.get_client_by_id(data.client_id)
  if not client or client.name ~= "grok" then
    return
  end
  local value = data.params.value
  if type(value) ~= "table" then
    return
  end
  local id = data.client_id .. ":" .. tostring(data.params.token)
  if value.kind == "begin" then
    active[id] = { title = value.title or "Grok", message = value.message }
    table.insert(order, id)
  elseif value.kind == "report" and active[id] then
    active[id].message = value.message or active[id].message
  elseif value.kind == "end" then
    active[id] = nil
    local finished = type(value.message) == "string" and value.message:match("^Done")
    M.last = finished and require("grok.usage").from_message(value.message) or nil
    order = vim.tbl_filter(function(other)
      return other ~= id
    end, order)
    local token = tostring(data.params.token)
    require("grok.actions").on_progress_end(token, value.message)
    require("grok.answer").on_progress_end(token, value.message)
  end
  vim.cmd.redrawstatus({ bang = true })
end

---@return boolean
function M.busy()
  return next(active) ~= nil
end

--- The newest running request, for a statusline: "Grok: Explain · the last words…"; when
--- none runs, the tokens and cost of the last one: "Grok: 120 + 45 tokens · $0.0007".
---@param opts? {max_width?: integer, usage?: boolean}
---@return string
function M.statusline(opts)
  local id = order[#order]
  local progress = id and active[id]
  if not progress then
    if M.last and not (opts and opts.usage == false) then
      return ("Grok: " .. M.last):gsub("%%", "%%%%")
    end
    return ""
  end
  local text = progress.title
  if progress.message and progress.message ~= "" then
    text = text .. " · " .. progress.message
  end
  if #order > 1 then
    text = ("%s (+%d)"):format(text, #order - 1)
  end
  local max_width = opts and opts.max_width or 60
  if vim.fn.strchars(text) > max_width then
    text = vim.fn.strcharpart(text, 0, max_width - 1) .. "…"
  end
  return (text:gsub("%%", "%%%%"))
end

return M
