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
local function set_keymaps(args)
  local client = vim.lsp.get_client_by_id(args.data.client_id)
  local keymaps = client and client.name == "grok" and require("grok.config").options.keymaps
  if not keymaps then
    return
  end
  for name, lhs in pairs(keymaps) do
    if name == "cancel" then
      vim.keymap.set("n", lhs, "<Cmd>GrokCancel<CR>", { buffer = args.buf, desc = "Grok: cancel" })
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
  command("GrokModels", action("models"), { desc = "Grok: list the models and pick one" })
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
  vim.api.nvim_create_autocmd("LspAttach", { group = group, callback = set_keymaps })
end

return M
