---@mod grok.usage Tokens and cost: of one request, of the session (:GrokUsage)
local M = {}

--- "12,345" for 12345.
---@param n integer
---@return string
local function thousands(n)
  local text = tostring(math.floor(n))
  local result = text:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  return (result:gsub("^,", ""))
end

--- "$0.0007", or "$1.25" from a dollar up, like grok-lsp writes it.
---@param cost? number
---@return string?
function M.cost(cost)
  if type(cost) ~= "number" then
    return nil
  end
  return cost < 1 and ("$%.4f"):format(cost) or ("$%.2f"):format(cost)
end

--- "1,200 + 45 tokens · $0.0007" (prompt + completion) from a command's usage and costUsd.
---@param usage? table {promptTokens, completionTokens, reasoningTokens, cachedTokens}
---@param cost? number
---@return string?
function M.summary(usage, cost)
  if type(usage) ~= "table" then
    return nil
  end
  local prompt, completion =
    tonumber(usage.promptTokens) or 0, tonumber(usage.completionTokens) or 0
  if prompt == 0 and completion == 0 then
    return nil
  end
  local parts = { ("%s + %s tokens"):format(thousands(prompt), thousands(completion)) }
  local price = M.cost(cost)
  if price then
    table.insert(parts, price)
  end
  return table.concat(parts, " · ")
end

--- The same summary from a progress end message ("Done · 120 prompt + 45 completion tokens
--- (10 reasoning), 60 cached · $0.0007"), for requests whose result we never see.
---@param message? string
---@return string?
function M.from_message(message)
  if type(message) ~= "string" then
    return nil
  end
  local prompt, completion = message:match("(%d+) prompt %+ (%d+) completion tokens")
  if not prompt then
    return nil
  end
  local usage = { promptTokens = tonumber(prompt), completionTokens = tonumber(completion) }
  return M.summary(usage, tonumber(message:match("%$(%d+%.%d+)")))
end

--- One line of totals: "3 requests · 1,200 prompt + 340 completion tokens (20 reasoning,
--- 800 cached) · $0.0021".
---@param totals table {requests, promptTokens, completionTokens, reasoningTokens, cachedTokens, costUsd}
---@return string
function M.totals_line(totals)
  local requests = tonumber(totals.requests) or 0
  local text = ("%d request%s · %s prompt + %s completion tokens"):format(
    requests,
    requests == 1 and "" or "s",
    thousands(tonumber(totals.promptTokens) or 0),
    thousands(tonumber(totals.completionTokens) or 0)
  )
  local extra = {}
  if (tonumber(totals.reasoningTokens) or 0) > 0 then
    table.insert(extra, thousands(totals.reasoningTokens) .. " reasoning")
  end
  if (tonumber(totals.cachedTokens) or 0) > 0 then
    table.insert(extra, thousands(totals.cachedTokens) .. " cached")
  end
  if #extra > 0 then
    text = text .. " (" .. table.concat(extra, ", ") .. ")"
  end
  return text .. " · " .. (M.cost(totals.costUsd) or "cost unknown")
end

--- The lines :GrokUsage shows, from grok.usage's {session, byModel}.
---@param result table
---@return string[]
function M.report(result)
  local lines = { "Grok usage this session: " .. M.totals_line(result.session or {}) }
  local models = vim.tbl_keys(result.byModel or {})
  table.sort(models)
  for _, model in ipairs(models) do
    table.insert(lines, ("  %s: %s"):format(model, M.totals_line(result.byModel[model])))
  end
  return lines
end

return M
