-- The default config of grok-lsp for vim.lsp.enable("grok"); require("grok").setup() extends it.
return require("grok.lsp").config()
