---@mod grok.commands The :Grok commands, the progress listener and the keymaps
local M = {}

---@param name string
---@return fun(opts: table)
local function run(name)
  return function(opts)
    require("grok.actions").run(name, opts)
  end
end

---@param name string
---@return fun()
local function action(name)
  return function()
    require("grok.actions")[name]()
  end
end

-- The range commands: name, action, whether it takes text, description.
local RANGE_COMMANDS = {
  { "GrokExplain", "explain", false, "Grok: explain the lines" },
  { "GrokRefactor", "refactor", true, "Grok: rewrite the lines, following the instruction" },
  { "GrokFix", "fix", false, "Grok: fix the lines and their diagnostics" },
  { "GrokDocument", "document", false, "Grok: add documentation to the lines" },
  { "GrokTests", "tests", false, "Grok: write tests for the lines" },
  { "GrokAsk", "ask", true, "Grok: ask about the lines, or a follow-up question" },
}

---@param args vim.api.keyset.create_autocmd.callback_args
local function on_attach(args)
  local client = vim.lsp.get_client_by_id(args.data.client_id)
  if not client or client.name ~= "grok" then
    return
  end
  require("grok.inline").on_attach(client, args.buf)
  local keymaps = require("grok.config").options.keymaps
  if not keymaps then
    return
  end
  for name, lhs in pairs(keymaps) do
    if name == "cancel" then
      vim.keymap.set("n", lhs, "<Cmd>GrokCancel<CR>", { buffer = args.buf, desc = "Grok: cancel" })
    elseif name == "apply" then
      vim.keymap.set(
        "n",
        lhs,
        "<Cmd>GrokApply<CR>",
        { buffer = args.buf, desc = "Grok: apply the suggestion" }
      )
    end
    for _, spec in ipairs(RANGE_COMMANDS) do
      if spec[2] == name then
        -- ":" in Visual mode puts the selection's range before the command.
        vim.keymap.set(
          { "n", "x" },
          lhs,
          ":" .. spec[1] .. "<CR>",
          { buffer = args.buf, desc = spec[4] }
        )
      end
    end
  end
end

--- Completion of :GrokAction: the ids of settings.actions, for the first argument.
---@param arglead string
---@param cmdline string
---@param cursor integer
---@return string[]
function M.complete_action(arglead, cmdline, cursor)
  local before = cmdline:sub(1, cursor):gsub("^.-GrokAction!?", "")
  if #vim.split(vim.trim(before), "%s+", { trimempty = true }) > (arglead == "" and 0 or 1) then
    return {} -- past the id: the rest is free text
  end
  local ids = {}
  for _, configured in ipairs(require("grok.actions").user_actions()) do
    if type(configured.id) == "string" and vim.startswith(configured.id, arglead) then
      table.insert(ids, configured.id)
    end
  end
  table.sort(ids)
  return ids
end

--- The folder `#file:` paths are relative to: the grok client's root, else the cwd.
---@return string
local function workspace_root()
  local client = vim.lsp.get_clients({ name = "grok", bufnr = 0 })[1]
  local root = client and client.config.root_dir or vim.fn.getcwd()
  return (root:gsub("/+$", ""))
end

--- Completion of :GrokAsk: `#file:` paths relative to the workspace root, `#open`, `#diff`.
---@param arglead string
---@return string[]
function M.complete_reference(arglead)
  if not vim.startswith(arglead, "#") then
    return {}
  end
  if not vim.startswith(arglead, "#file:") then
    return vim.tbl_filter(function(word)
      return vim.startswith(word, arglead)
    end, { "#file:", "#open", "#diff" })
  end
  local root = workspace_root()
  local typed = arglead:sub(#"#file:" + 1)
  local found = {}
  for _, path in ipairs(vim.fn.globpath(root, typed .. "*", false, true)) do
    local relative = path:sub(#root + 2)
    local slash = vim.fn.isdirectory(path) == 1 and "/" or ""
    table.insert(found, "#file:" .. relative .. slash)
  end
  table.sort(found)
  return found
end

--- Define everything once; plugin/grok.lua and setup() both call this, so the plugin
--- works whether or not the plugin manager sources plugin/ in the repository's subfolder.
function M.define()
  if vim.g.loaded_grok then
    return
  end
  vim.g.loaded_grok = true

  for _, spec in ipairs(RANGE_COMMANDS) do
    vim.api.nvim_create_user_command(spec[1], run(spec[2]), {
      range = true,
      nargs = spec[3] and "*" or 0,
      complete = spec[2] == "ask" and M.complete_reference or nil,
      desc = spec[4],
    })
  end
  local command = vim.api.nvim_create_user_command
  command(
    "GrokConversation",
    action("conversation"),
    { desc = "Grok: show this file's conversation" }
  )
  command("GrokReset", action("reset"), { desc = "Grok: forget this file's conversation" })
  command("GrokModels", function(opts)
    require("grok.actions").models(opts.args)
  end, {
    nargs = "?",
    complete = function(arglead)
      local names = vim.tbl_keys(require("grok.config").options.settings.modelAliases or {})
      vim.list_extend(names, require("grok.actions").known_models)
      return vim.tbl_filter(function(name)
        return vim.startswith(name, arglead)
      end, names)
    end,
    desc = "Grok: pick the model (or set it: :GrokModels {name})",
  })
  command("GrokUsage", action("usage"), { desc = "Grok: tokens and cost of this session" })
  command("GrokAction", run("action"), {
    range = true,
    nargs = "*",
    complete = M.complete_action,
    desc = "Grok: run one of your actions (settings.actions) on the lines",
  })
  command("GrokApply", function(opts)
    require("grok.preview").apply_command(opts)
  end, { range = true, desc = "Grok: apply the suggestion (editMode = preview)" })
  command("GrokSetKey", function()
    require("grok.actions").set_key()
  end, { desc = "Grok: set the xAI API key for this session (restarts grok-lsp)" })
  command("GrokCancel", function(opts)
    require("grok.actions").cancel(opts.bang)
  end, { bang = true, desc = "Grok: cancel this file's requests (! for all)" })

  local group = vim.api.nvim_create_augroup("grok", { clear = true })
  vim.api.nvim_create_autocmd("LspProgress", {
    group = group,
    callback = function(args)
      require("grok.status").on_progress(args)
    end,
  })
  vim.api.nvim_create_autocmd("LspAttach", { group = group, callback = on_attach })
end

return M
