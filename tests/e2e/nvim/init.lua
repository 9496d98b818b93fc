-- The minimal Neovim 0.11 config from docs/neovim.md, used by tests/e2e/test_neovim.py.
-- The only test-specific part: the server command comes from $TRACE_ADVISOR_LSP (the venv's python).
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

vim.lsp.config('trace_advisor', {
  cmd = { vim.env.TRACE_ADVISOR_LSP or 'trace-advisor-lsp' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', '.trace-advisor.yaml', '.git' },
  settings = { traceAdvisor = { minConfidence = 0.5, server = { logLevel = 'info' } } },
})
vim.lsp.enable('trace_advisor')

-- Lens command: open the call hierarchy at the lens' function (incoming calls; `outgoing_calls` works the same).
vim.lsp.commands['trace-advisor.showCallHierarchy'] = function(command)
  local uri, pos = command.arguments[1], command.arguments[2]
  local bufnr = vim.uri_to_bufnr(uri)
  vim.fn.bufload(bufnr)
  vim.api.nvim_win_set_buf(0, bufnr)
  local line = vim.api.nvim_buf_get_lines(bufnr, pos.line, pos.line + 1, false)[1] or ''
  vim.api.nvim_win_set_cursor(0, { pos.line + 1, vim.str_byteindex(line, 'utf-16', pos.character, false) })
  vim.lsp.buf.incoming_calls()
end

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'trace_advisor' then
      vim.lsp.codelens.refresh({ bufnr = args.buf })
      vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
        buffer = args.buf,
        callback = function() vim.lsp.codelens.refresh({ bufnr = args.buf }) end,
      })
    end
  end,
})
