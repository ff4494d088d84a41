if vim.fn.has("nvim-0.11") == 0 then
  vim.notify("grok.nvim needs Neovim 0.11 or newer", vim.log.levels.ERROR)
  return
end

require("grok.commands").define()
