-- Drives a session on a project whose .trace-advisor.yaml names OTLP JSON trace files: the observed-figures lens
-- and the hover of a traced function, as a Neovim user sees them with the config from docs/neovim.md.
-- What it saw goes to $TRACE_ADVISOR_RESULT through harness.lua.
local harness = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))
local result, step, wait = harness.result, harness.step, harness.wait

local function observed_lenses(bufnr)
  local found = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    if lens.command and lens.command.title:find('^observed') then
      table.insert(found, { line = lens.range.start.line, title = lens.command.title })
    end
  end
  return found
end

local function drive()
  local bufnr = vim.api.nvim_get_current_buf()
  wait(30000, 'the server to attach', function() return #vim.lsp.get_clients({ bufnr = bufnr }) > 0 end)
  step('attached')

  -- the traces are read in the background after indexing; the server then asks the client to refresh its lenses
  -- (workspace/codeLens/refresh), which Neovim honours. Refreshing here too only makes the wait shorter.
  local last = 0
  wait(60000, 'an observed-figures lens', function()
    if vim.uv.now() - last > 1000 then
      last = vim.uv.now()
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    end
    return #observed_lenses(bufnr) > 0
  end)
  result.lenses = observed_lenses(bufnr)
  step('lenses')

  local target = 'def ' .. vim.env.TRACE_ADVISOR_FUNCTION
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:find(target, 1, true) == 1 then
      vim.api.nvim_win_set_cursor(0, { i, #'def ' })
      break
    end
  end
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'trace_advisor' })[1]
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local answer = client:request_sync('textDocument/hover', params, 20000, bufnr)
  if not answer or answer.err then error('hover failed: ' .. vim.inspect(answer)) end
  result.hover = answer.result and answer.result.contents.value or vim.NIL
  -- what K shows: the same Markdown, turned into the lines of Neovim's floating window
  result.hover_lines = vim.lsp.util.convert_input_to_markdown_lines(answer.result.contents)
  step('hover')
end

harness.run(drive)
