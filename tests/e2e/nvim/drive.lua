-- Drives one headless session: diagnostics, code lenses, outgoing/incoming calls, the quick-fix, then :write.
-- What it saw goes to $TRACE_ADVISOR_RESULT through harness.lua.
local harness = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))
local result, step, wait = harness.result, harness.step, harness.wait

local function find_line(pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    if line:find(pattern) then return i end
  end
  error('no line matches ' .. pattern)
end

local function qf_items()
  return vim.tbl_map(function(item)
    return { text = item.text, lnum = item.lnum, file = vim.api.nvim_buf_get_name(item.bufnr) }
  end, vim.fn.getqflist())
end

local function drive()
  local bufnr = vim.api.nvim_get_current_buf()
  wait(30000, 'the server to attach', function() return #vim.lsp.get_clients({ bufnr = bufnr }) > 0 end)
  step('attached')

  local target = vim.env.TRACE_ADVISOR_FUNCTION
  wait(60000, 'a diagnostic on ' .. target, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source == 'trace-advisor' and vim.tbl_get(d, 'user_data', 'lsp', 'data', 'qualname') == target then
        return true
      end
    end
    return false
  end)
  result.diagnostics = vim.tbl_map(function(d)
    return { lnum = d.lnum, code = d.code, message = d.message, severity = d.severity }
  end, vim.diagnostic.get(bufnr))
  step('diagnostics')

  vim.lsp.codelens.refresh({ bufnr = bufnr })
  wait(20000, 'resolved code lenses', function()
    for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
      if lens.command and lens.command.title:find('callee') then return true end
    end
    return false
  end)
  result.lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    if lens.command then table.insert(result.lenses, { line = lens.range.start.line, title = lens.command.title }) end
  end
  step('lenses')

  local def_line = find_line('def ' .. target:match('[^.]+$') .. '%(')
  local col = vim.api.nvim_buf_get_lines(bufnr, def_line - 1, def_line, false)[1]:find('def ') + 3
  vim.api.nvim_win_set_cursor(0, { def_line, col })
  vim.fn.setqflist({}, 'r')
  vim.lsp.buf.outgoing_calls()
  wait(20000, 'outgoing calls', function() return #vim.fn.getqflist() > 0 end)
  result.outgoing = qf_items()
  vim.cmd('cclose')
  vim.api.nvim_set_current_buf(bufnr)
  step('outgoing')

  vim.api.nvim_win_set_cursor(0, { def_line, col })
  vim.fn.setqflist({}, 'r')
  vim.lsp.buf.incoming_calls()
  wait(20000, 'incoming calls', function() return #vim.fn.getqflist() > 0 end)
  result.incoming = qf_items()
  vim.cmd('cclose')
  vim.api.nvim_set_current_buf(bufnr)
  step('incoming')

  vim.api.nvim_win_set_cursor(0, { def_line, col })
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'quickfix' } },
    -- "Add span … with attributes" (preferred) and "Add span …": take the preferred one, as a keymap would
    filter = function(action) return action.kind == 'quickfix' and action.isPreferred end,
  })
  wait(20000, 'the quick-fix to be applied', function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end)
  step('quickfix')

  vim.cmd('write')
  result.written = vim.api.nvim_buf_get_name(bufnr)
  step('written')
  wait(20000, 'the diagnostic to clear after the span was added', function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if vim.tbl_get(d, 'user_data', 'lsp', 'data', 'qualname') == target then return false end
    end
    return true
  end)
  step('cleared')

  -- The "Add span" lens is a server command (trace-advisor.addSpan [uri, symbol, def line]): run it as Neovim does.
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'trace_advisor' })[1]
  vim.lsp.codelens.refresh({ bufnr = bufnr })
  local add
  wait(20000, 'an "Add span" lens', function()
    for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
      local command = lens.command
      if command and command.command == 'trace-advisor.addSpan' and not command.title:find(target, 1, true) then
        add = command
        return true
      end
    end
    return false
  end)
  tick = vim.api.nvim_buf_get_changedtick(bufnr)
  client:exec_cmd(add, { bufnr = bufnr })
  wait(20000, 'the lens span to be applied', function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end)
  result.lens_span = add.title
  vim.cmd('write')
  step('lens')

  local answer = client:request_sync('workspace/executeCommand',
    { command = 'trace-advisor.analyzeWorkspace', arguments = {} }, 30000, bufnr)
  if not answer or answer.err then error('analyzeWorkspace failed: ' .. vim.inspect(answer)) end
  result.workspace = vim.tbl_map(function(file) return { uri = file.uri, engine = file.engine } end, answer.result)
  step('workspace')
end

harness.run(drive)
