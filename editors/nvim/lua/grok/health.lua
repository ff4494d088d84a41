---@mod grok.health :checkhealth grok
local M = {}

local health = vim.health
local TIMEOUT_MS = 20000

---@return vim.lsp.Config
local function lsp_config()
  return vim.lsp.config.grok or require("grok.lsp").config()
end

---@param cmd string[]
---@param args string[]
---@param env table<string, string>
---@return vim.SystemCompleted?
---@return string? error
local function run(cmd, args, env)
  local ok, process =
    pcall(vim.system, vim.list_extend(vim.deepcopy(cmd), args), { text = true, env = env })
  if not ok then
    return nil, tostring(process)
  end
  local result = process:wait(TIMEOUT_MS)
  if result.signal ~= 0 and result.code ~= 0 and (result.stdout or "") == "" then
    return nil, ("no answer within %d s"):format(TIMEOUT_MS / 1000)
  end
  return result
end

--- `grok-lsp doctor` prints "[ok  ] what" or "[FAIL] what -> advice", one check a line.
---@param output string
local function report_doctor(output)
  for line in vim.gsplit(output, "\n", { plain = true, trimempty = true }) do
    local what = line:match("^%[ok%s*%]%s*(.*)$")
    if what then
      health.ok(what)
    else
      local failed = line:match("^%[FAIL%]%s*(.*)$")
      if failed then
        local check, advice = failed:match("^(.-)%s+%->%s+(.*)$")
        health.error(check or failed, advice and { advice } or nil)
      elseif vim.trim(line) ~= "" then
        health.info(line)
      end
    end
  end
end

--- Inline completion: asked for, possible in this Neovim, offered by the server.
---@param client? vim.lsp.Client
---@param settings table
function M.check_inline(client, settings)
  if not vim.tbl_get(settings, "inlineCompletion", "enabled") then
    health.info("inline completion is off (setup({ inline_completion = { enabled = true } }))")
    return
  end
  if not require("grok.inline").api() then
    health.warn("inline completion is on, but needs Neovim 0.12 (vim.lsp.inline_completion)")
  elseif client and not client:supports_method("textDocument/inlineCompletion") then
    health.warn("inline completion is on, but the running grok-lsp does not offer it", {
      "Upgrade grok-lsp, then :lsp restart grok",
    })
  else
    health.ok("inline completion is on")
  end
end

function M.check()
  health.start("grok.nvim")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.error("Neovim 0.11 or newer is needed", { "Upgrade Neovim" })
  end

  local config = lsp_config()
  local settings = vim.tbl_get(config, "init_options") or {}
  local cmd = config.cmd
  health.start("grok-lsp (the server)")
  if type(cmd) ~= "table" or vim.fn.executable(cmd[1]) == 0 then
    health.error(("server command not found: %s"):format(vim.inspect(cmd)), {
      "pip install grok-lsp (or pipx install grok-lsp)",
      'or set require("grok").setup({ cmd = { "/path/to/grok-lsp" } })',
    })
    return
  end
  local env = vim.tbl_extend("force", {}, config.cmd_env or {})
  if type(settings.apiKey) == "string" then
    env.XAI_API_KEY = settings.apiKey
  end
  if type(settings.baseUrl) == "string" then
    env.XAI_BASE_URL = settings.baseUrl
  end
  local version, err = run(cmd, { "--version" }, env)
  if not version or version.code ~= 0 then
    health.error("`grok-lsp --version` failed: " .. (err or vim.trim(version.stderr or "")), {
      "Run it in a terminal to see why; reinstall grok-lsp",
    })
    return
  end
  health.ok(("%s (%s)"):format(vim.trim(version.stdout), table.concat(cmd, " ")))

  local clients = vim.lsp.get_clients({ name = "grok" })
  M.check_inline(clients[1], settings)
  if #clients > 0 then
    local buffers = vim.tbl_count(clients[1].attached_buffers)
    health.ok(("running, attached to %d buffer(s)"):format(buffers))
  elseif vim.lsp.is_enabled and vim.lsp.is_enabled("grok") then
    health.info("enabled; it starts with the first file you open")
  else
    health.warn("not enabled", { 'Call require("grok").setup() or vim.lsp.enable("grok")' })
  end

  health.start("xAI API (grok-lsp doctor)")
  if type(settings.apiKey) == "string" and settings.apiKey ~= "" then
    health.warn(
      "the key is in the settings (apiKey)",
      { "Prefer the XAI_API_KEY environment variable" }
    )
  end
  local doctor, doctor_err = run(cmd, { "doctor" }, env)
  if not doctor then
    health.error("`grok-lsp doctor` failed: " .. doctor_err)
    return
  end
  report_doctor(doctor.stdout or "")
  if doctor.code ~= 0 and not (doctor.stdout or ""):find("[FAIL]", 1, true) then
    -- It stopped before printing its checks.
    health.error("`grok-lsp doctor` failed: " .. vim.trim(doctor.stderr or ""))
  end
  if type(settings.model) == "string" and doctor.code == 0 then
    local models = run(cmd, { "models" }, env)
    local known = false
    for line in vim.gsplit(models and models.stdout or "", "\n", { plain = true }) do
      -- "name" or "name  (current)"
      known = known or vim.split(vim.trim(line), "%s+")[1] == settings.model
    end
    if known then
      health.ok(("model %s (from your settings) is available"):format(settings.model))
    else
      health.error(("model %s (from your settings) is not available"):format(settings.model), {
        "Pick one with :GrokModels or `grok-lsp models`",
      })
    end
  end
end

return M
