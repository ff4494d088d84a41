if vim.g.loaded_grok then
  return
end
vim.g.loaded_grok = true

if vim.fn.has("nvim-0.11") == 0 then
  vim.notify("grok.nvim needs Neovim 0.11 or newer", vim.log.levels.ERROR)
  return
end

local function run(name)
  return function(opts)
    require("grok.actions").run(name, opts)
  end
end

local command = vim.api.nvim_create_user_command
command("GrokExplain", run("explain"), { range = true, desc = "Grok: explain the lines" })
command("GrokRefactor", run("refactor"), {
  range = true,
  nargs = "*",
  desc = "Grok: rewrite the lines, following the instruction",
})
command("GrokFix", run("fix"), { range = true, desc = "Grok: fix the lines and their diagnostics" })
command("GrokDocument", run("document"), { range = true, desc = "Grok: add documentation" })
command("GrokTests", run("tests"), { range = true, desc = "Grok: write tests for the lines" })
command("GrokAsk", run("ask"), {
  range = true,
  nargs = "*",
  desc = "Grok: ask a question (about the lines, or a follow-up)",
})
command("GrokConversation", function()
  require("grok.actions").conversation()
end, { desc = "Grok: show this file's conversation" })
command("GrokReset", function()
  require("grok.actions").reset()
end, { desc = "Grok: forget this file's conversation" })
command("GrokCancel", function(opts)
  require("grok.actions").cancel(opts.bang)
end, { bang = true, desc = "Grok: cancel this file's requests (! for all)" })
command("GrokModels", function()
  require("grok.actions").models()
end, { desc = "Grok: list the models and pick one" })

local group = vim.api.nvim_create_augroup("grok", { clear = true })

vim.api.nvim_create_autocmd("LspProgress", {
  group = group,
  callback = function(args)
    require("grok.status").on_progress(args)
  end,
})

local KEYMAPS = {
  explain = { "GrokExplain", "Grok: explain" },
  refactor = { "GrokRefactor", "Grok: refactor" },
  fix = { "GrokFix", "Grok: fix" },
  document = { "GrokDocument", "Grok: document" },
  tests = { "GrokTests", "Grok: write tests" },
  ask = { "GrokAsk", "Grok: ask" },
}

vim.api.nvim_create_autocmd("LspAttach", {
  group = group,
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    local keymaps = client and client.name == "grok" and require("grok.config").options.keymaps
    if not keymaps then
      return
    end
    for name, lhs in pairs(keymaps) do
      local map = { buffer = args.buf, desc = KEYMAPS[name] and KEYMAPS[name][2] }
      if name == "cancel" then
        vim.keymap.set("n", lhs, "<Cmd>GrokCancel<CR>", vim.tbl_extend("force", map, { desc = "Grok: cancel" }))
      elseif KEYMAPS[name] then
        -- ":" in Visual mode puts the selection's range before the command.
        vim.keymap.set({ "n", "x" }, lhs, ":" .. KEYMAPS[name][1] .. "<CR>", map)
      end
    end
  end,
})
