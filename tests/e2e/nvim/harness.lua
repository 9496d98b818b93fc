-- What every driver shares: the result it writes, its steps, a bounded wait, and the run that writes the result as
-- JSON to $TRACE_ADVISOR_RESULT and exits (status 1 on any error: a driver never hangs).
local M = { result = { steps = {} } }

function M.step(name) table.insert(M.result.steps, name) end

function M.wait(ms, what, predicate)
  if not vim.wait(ms, predicate, 50) then error('timed out waiting for ' .. what) end
end

function M.run(drive)
  local ok, err = xpcall(drive, debug.traceback)
  M.result.ok, M.result.error = ok, err
  local file = io.open(vim.env.TRACE_ADVISOR_RESULT, 'w')
  file:write(vim.json.encode(M.result))
  file:close()
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

return M
