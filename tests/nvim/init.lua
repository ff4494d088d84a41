-- Headless Neovim for the plugin's tests: only this repository's plugin, set up for the
-- server command and settings the test chose (GROK_TEST_CMD, GROK_TEST_SETUP as JSON).
local root = vim.env.GROK_TEST_PLUGIN
vim.opt.runtimepath:prepend(root)
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.cmd.runtime("plugin/grok.lua")

local setup = vim.json.decode(vim.env.GROK_TEST_SETUP or "{}")
setup.cmd = vim.json.decode(vim.env.GROK_TEST_CMD)
require("grok").setup(setup)

package.loaded.grok_test = dofile(vim.env.GROK_TEST_HELPERS)
