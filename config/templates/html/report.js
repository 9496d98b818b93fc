// trace-advisor HTML report: a ranked list of the recommendations (the first view) and the call trees from each entry
// point (the second), built from the embedded JSON, with shared filters and keyboard navigation.
// Every user-provided string is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const recs = data.recommendations;
  const colours = new Map(data.priorities.map((p, i) => [p.name, `var(--p${Math.min(i, 9)})`]));
  const titles = new Map(data.priorities.map((p) => [p.name, p.title]));
  const tree = document.getElementById("tree");
  const nameInput = document.getElementById("filter-name");
  const prioritySelect = document.getElementById("filter-priority");
  const confidenceInput = document.getElementById("filter-confidence");
  const confidenceValue = document.getElementById("filter-confidence-value");
  const externalInput = document.getElementById("filter-external");
  const items = []; // {li, node, parent, level, children: []}
  const manual = new Map(); // expansion chosen by the user while no filter is active

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // `code` spans of our own texts become <code> elements; the text itself still goes in as text.
  function withCode(parent, text) {
    String(text).split("`").forEach((part, i) => {
      if (part) parent.append(i % 2 ? el("code", "", part) : document.createTextNode(part));
    });
    return parent;
  }

  function number(value) {
    return Number(value).toLocaleString("en-US");
  }

  function colour(priority) {
    return colours.get(priority) || "var(--p9)";
  }

  // ---- header --------------------------------------------------------------------------------------------------
  const meta = data.meta;
  const engine = meta.engine === "local" ? "local scorer (deterministic, no network)" : meta.engine;
  document.getElementById("subtitle").textContent =
    `Engine: ${engine} · trace-advisor ${meta.version}` + (meta.generatedAt ? ` · ${meta.generatedAt}` : "");
  const stats = document.getElementById("stats");
  const figures = [
    ["Recommendations", meta.total],
    ["Functions", meta.functions],
    ["Files analysed", meta.filesAnalysed],
  ];
  // model usage only when a model was asked (the local engine costs nothing)
  if (meta.usage.calls || meta.usage.inputTokens || meta.engine !== "local") {
    figures.push(
      ["Model calls", number(meta.usage.calls)],
      ["Tokens in / out", `${number(meta.usage.inputTokens)} / ${number(meta.usage.outputTokens)}`],
      ["Est. cost", meta.usage.cost],
    );
  }
  for (const [label, value] of figures) {
    const box = el("div");
    box.append(el("dt", "", label), el("dd", "", value));
    stats.append(box);
  }
  // each call's tokens split over its functions by their share of the prompt, per file
  const byFile = meta.usage.byFile || [];
  if (byFile.length) {
    const rows = document.getElementById("usage-files-rows");
    for (const f of byFile) {
      const tr = el("tr");
      for (const value of [f.file, number(f.calls), number(f.inputTokens), number(f.outputTokens), f.cost]) {
        tr.append(el("td", "", value));
      }
      rows.append(tr);
    }
    document.getElementById("usage-files").hidden = false;
  }
  document.getElementById("tree-title").textContent = meta.treeTitle;

  // ---- priority chips and select -------------------------------------------------------------------------------
  const chips = document.getElementById("priority-chips");
  for (const p of data.priorities) {
    const li = el("li");
    const chip = el("button", "chip");
    chip.type = "button";
    chip.dataset.priority = p.name;
    chip.setAttribute("aria-pressed", "false");
    chip.style.setProperty("--c", colour(p.name));
    chip.disabled = p.count === 0;
    chip.title = `Show only ${p.title}`;
    chip.append(el("span", "dot"), el("span", "", p.title), el("span", "count", p.count));
    chip.addEventListener("click", () => {
      prioritySelect.value = prioritySelect.value === p.name ? "" : p.name;
      applyFilters();
    });
    li.append(chip);
    chips.append(li);
    const option = el("option", "", `${p.title} (${p.count})`);
    option.value = p.name;
    prioritySelect.append(option);
  }

  // ---- hot calls (a recording of the workspace) -------------------------------------------------------------------
  if (data.hot && data.hot.edges.length) {
    const section = document.getElementById("hot");
    section.hidden = false;
    document.getElementById("hot-command").textContent =
      `Observed by \`${data.hot.command}\` (${data.hot.seconds} s): the calls between workspace functions with the most cumulative time.`;
    const rows = document.getElementById("hot-rows");
    for (const edge of data.hot.edges) {
      const tr = el("tr", edge.recommended ? "recommended" : "");
      const via = edge.via ? ` (via ${edge.via})` : "";
      tr.append(el("td", "", `${edge.caller}${edge.line ? `:${edge.line}` : ""}`), el("td", "", `${edge.callee}${via}`),
        el("td", "num", number(edge.count)), el("td", "num", `${edge.seconds.toFixed(3)} s`),
        el("td", "num", `${Math.round(edge.share * 100)}%`));
      rows.append(tr);
    }
  }

  // ---- tree ----------------------------------------------------------------------------------------------------
  function recCard(rec) {
    const card = el("article", "card");
    card.style.setProperty("--c", colour(rec.priority));
    const head = el("h3");
    const badge = el("span", "badge", rec.priorityTitle);
    const conf = el("span", "confidence");
    const meter = el("span", "meter");
    const fill = el("span");
    fill.style.width = `${Math.round(rec.confidence * 100)}%`;
    meter.append(fill);
    conf.append(meter, el("span", "", `confidence ${rec.confidenceText}`));
    head.append(badge, conf);
    card.append(head, el("p", "rationale", rec.rationale));
    card.append(el("p", "meta", `${rec.file}:${rec.line} · source: ${rec.source}`));
    if (rec.evidence.length) {
      const list = el("ul", "evidence");
      for (const item of rec.evidence) list.append(el("li", "", item));
      card.append(list);
    }
    const setup = rec.setupAdded.length ? `; the module also gets ${rec.setupAdded.join(" and ")}` : "";
    card.append(withCode(el("p", "placement"), `Span: ${rec.placement}${setup}`));
    for (const note of rec.spanNotes) card.append(el("p", "note", `Note: ${note}`));
    if (rec.snippet) {
      const pre = el("pre");
      pre.append(el("code", "snippet", rec.snippet));
      card.append(pre);
    }
    return card;
  }

  // ---- ranked list ---------------------------------------------------------------------------------------------
  const ranked = document.getElementById("ranked");
  const rankedItems = []; // {li, row, symbol, rec, details}
  data.ranked.forEach(([symbol, index], i) => {
    const rec = recs[symbol][index];
    const li = el("li");
    li.dataset.rankedSymbol = symbol;
    if (rec.auxiliary) li.classList.add("auxiliary");
    const row = el("button", "row");
    row.type = "button";
    row.setAttribute("aria-expanded", "false");
    row.append(el("span", "toggle", "▶"), el("span", "rank", `${i + 1}.`), el("span", "name", rec.qualname));
    row.firstChild.setAttribute("aria-hidden", "true");
    const badge = el("span", "badge", `${rec.priorityTitle} ${rec.confidenceText}`);
    badge.style.setProperty("--c", colour(rec.priority));
    row.append(badge, el("span", "module", symbol.split(":")[0]), el("span", "loc", `${rec.file}:${rec.line}`));
    const details = el("div", "details");
    details.append(recCard(rec));
    details.hidden = true;
    li.append(row, el("p", "summary", rec.rationale), details);
    row.addEventListener("click", () => {
      const open = row.getAttribute("aria-expanded") !== "true";
      row.setAttribute("aria-expanded", String(open));
      details.hidden = !open;
    });
    ranked.append(li);
    rankedItems.push({ li, symbol, rec });
  });

  function build(node, parentItem, level, container, path) {
    const nodeRecs = (node.symbol && recs[node.symbol]) || [];
    const li = el("li", `kind-${node.kind || "function"}`);
    li.setAttribute("role", "treeitem");
    li.setAttribute("aria-level", String(level));
    li.tabIndex = -1;
    li.id = `n-${path}`;
    li.dataset.symbol = node.symbol || "";
    if (node.external) li.classList.add("external");
    const row = el("div", "row");
    row.append(el("span", "toggle", "▶"));
    row.firstChild.setAttribute("aria-hidden", "true");
    row.append(el("span", "name", node.label));
    if (node.module) row.append(el("span", "module", node.module));
    for (const rec of nodeRecs) {
      const badge = el("span", "badge", `${titles.get(rec.priority) || rec.priority} ${rec.confidenceText}`);
      badge.style.setProperty("--c", colour(rec.priority));
      row.append(badge);
    }
    if (node.cycle) {
      const mark = el("span", "mark", "↻ cycle");
      mark.title = "Already on the path from the entry point: not expanded again";
      row.append(mark);
    }
    if (node.truncated) {
      const mark = el("span", "mark", "⋯ depth limit");
      mark.title = "The tree stops here; open this function's own tree to go deeper";
      row.append(mark);
    }
    if (node.external) row.append(el("span", "mark", "library"));
    if (node.observed) {
      const mark = el("span", node.static ? "mark observed" : "mark observed only", node.static
        ? `ran ${number(node.observed)}×` : `observed only · ${number(node.observed)}×`);
      mark.title = node.static
        ? "The recording (trace-advisor calls --record) saw this call"
        : "Only the recording saw this call: static analysis cannot follow it (getattr, registry, wrapper...)";
      row.append(mark);
    }
    if (node.file && node.line) row.append(el("span", "loc", `${shortFile(node.file)}:${node.line}`));
    li.append(row);
    const label = `${node.label}${nodeRecs.length ? `, ${nodeRecs.length} recommendation(s)` : ""}`;
    li.setAttribute("aria-label", label);
    const item = { li, node, parent: parentItem, level, children: [], recs: nodeRecs, details: null, group: null };
    items.push(item);
    if (nodeRecs.length && !node.cycle) { // a cycle repeats a function shown above: badges only
      item.details = el("div", "details");
      for (const rec of nodeRecs) item.details.append(recCard(rec));
      item.details.hidden = true;
      li.append(item.details);
    }
    if (node.children && node.children.length) {
      item.group = el("ul");
      item.group.setAttribute("role", "group");
      node.children.forEach((child, i) => item.children.push(build(child, item, level + 1, item.group, `${path}-${i}`)));
      li.append(item.group);
    }
    if (item.group || item.details) setExpanded(item, level === 1 && !node.collapsed);
    else li.classList.add("leaf");
    row.addEventListener("click", () => {
      focusItem(item);
      toggle(item);
    });
    container.append(li);
    return item;
  }

  function shortFile(file) {
    const parts = String(file).split("/");
    return parts.slice(-2).join("/");
  }

  // expandable when it has details or a child not hidden by the filters (library calls are hidden by default)
  function expandable(item) {
    return Boolean(item.details || item.children.some((child) => !child.li.hidden));
  }

  function setExpanded(item, open) {
    const can = expandable(item);
    item.li.classList.toggle("leaf", !can);
    if (!can) {
      item.li.removeAttribute("aria-expanded");
      if (item.group) item.group.hidden = true;
      return;
    }
    item.li.setAttribute("aria-expanded", open ? "true" : "false");
    if (item.group) item.group.hidden = !open;
    if (item.details) item.details.hidden = !open;
  }

  function isExpanded(item) {
    return item.li.getAttribute("aria-expanded") === "true";
  }

  function toggle(item) {
    if (!expandable(item)) return;
    setExpanded(item, !isExpanded(item));
    if (!filtering()) manual.set(item, isExpanded(item));
  }

  data.trees.forEach((root, i) => build(root, null, 1, tree, String(i)));
  if (items.length) items[0].li.tabIndex = 0;

  // ---- views: the ranked list first, the call tree second ------------------------------------------------------
  let view = "ranked";
  const tabs = { ranked: document.getElementById("tab-ranked"), tree: document.getElementById("tab-tree") };

  function showView(name) {
    view = name;
    for (const [key, tab] of Object.entries(tabs)) {
      const selected = key === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
    }
    for (const node of document.querySelectorAll(".tree-only")) node.hidden = name !== "tree";
    applyFilters();
  }

  for (const [key, tab] of Object.entries(tabs)) {
    tab.addEventListener("click", () => showView(key));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      const other = key === "ranked" ? "tree" : "ranked";
      showView(other);
      tabs[other].focus();
      event.preventDefault();
    });
  }

  // ---- filters -------------------------------------------------------------------------------------------------
  function filtering() {
    return Boolean(nameInput.value.trim() || prioritySelect.value || Number(confidenceInput.value) > 0);
  }

  function matchesName(symbol, label) {
    const query = nameInput.value.trim().toLowerCase();
    return !query || `${symbol} ${label}`.toLowerCase().includes(query);
  }

  function matchesRec(rec) {
    const priority = prioritySelect.value;
    return (!priority || rec.priority === priority) && rec.confidence >= Number(confidenceInput.value) - 1e-9;
  }

  function matches(item) {
    if (!item.node.symbol || !matchesName(item.node.symbol, item.node.label)) return false;
    if (!prioritySelect.value && Number(confidenceInput.value) <= 0) return true;
    return item.recs.some(matchesRec);
  }

  function filterRanked() {
    let shown = 0;
    for (const entry of rankedItems) {
      const visible = matchesName(entry.symbol, entry.rec.qualname) && matchesRec(entry.rec);
      entry.li.hidden = !visible;
      if (visible) shown += 1;
    }
    document.getElementById("ranked-empty").hidden = shown > 0;
    return shown;
  }

  function applyFilters() {
    confidenceValue.textContent = Number(confidenceInput.value).toFixed(2);
    for (const chip of chips.querySelectorAll(".chip")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.priority === prioritySelect.value));
    }
    const active = filtering();
    const showExternal = externalInput.checked;
    const matched = new Set();
    const visit = (item) => {
      let visibleChild = false;
      for (const child of item.children) visibleChild = visit(child) || visibleChild;
      const hit = active && matches(item);
      const hiddenExternal = item.node.external && !showExternal;
      const visible = !hiddenExternal && (!active || hit || visibleChild);
      item.li.hidden = !visible;
      item.li.classList.toggle("match", hit && visible);
      if (hit && visible) matched.add(item.node.symbol);
      if (active) setExpanded(item, visibleChild || (hit && Boolean(item.details)));
      else setExpanded(item, manual.has(item) ? manual.get(item) : item.level === 1 && !item.node.collapsed);
      return visible;
    };
    const roots = items.filter((item) => item.parent === null);
    let any = false;
    for (const root of roots) any = visit(root) || any;
    document.getElementById("empty").hidden = any;
    const shownRanked = filterRanked();
    const count = document.getElementById("match-count");
    const all = `${meta.total} recommendation${meta.total === 1 ? "" : "s"} in ${meta.functions} function${meta.functions === 1 ? "" : "s"}`;
    if (!active) count.textContent = all;
    else if (view === "ranked") count.textContent = `${shownRanked} of ${all}`;
    else count.textContent = matched.size === 1 ? "1 function matches" : `${matched.size} functions match`;
    const focused = items.find((item) => item.li.tabIndex === 0);
    if (!focused || !isShown(focused)) {
      const first = visibleItems()[0];
      if (first) setTabStop(first);
    }
  }

  for (const input of [nameInput, prioritySelect, confidenceInput, externalInput]) {
    input.addEventListener("input", applyFilters);
    input.addEventListener("change", applyFilters);
  }
  document.getElementById("expand-all").addEventListener("click", () => {
    for (const item of items) {
      setExpanded(item, true);
      if (!filtering()) manual.set(item, true);
    }
  });
  document.getElementById("collapse-all").addEventListener("click", () => {
    for (const item of items) {
      setExpanded(item, false);
      if (!filtering()) manual.set(item, false);
    }
  });

  // ---- keyboard (WAI-ARIA tree pattern) ------------------------------------------------------------------------
  function isShown(item) {
    if (item.li.hidden) return false;
    for (let p = item.parent; p; p = p.parent) if (p.li.hidden || !isExpanded(p)) return false;
    return true;
  }

  function visibleItems() {
    return items.filter(isShown);
  }

  function setTabStop(item) {
    for (const other of items) other.li.tabIndex = -1;
    item.li.tabIndex = 0;
  }

  function focusItem(item) {
    setTabStop(item);
    item.li.focus();
  }

  tree.addEventListener("keydown", (event) => {
    const current = items.find((item) => item.li === document.activeElement);
    if (!current) return;
    const shown = visibleItems();
    const index = shown.indexOf(current);
    let handled = true;
    switch (event.key) {
      case "ArrowDown":
        if (index < shown.length - 1) focusItem(shown[index + 1]);
        break;
      case "ArrowUp":
        if (index > 0) focusItem(shown[index - 1]);
        break;
      case "Home":
        if (shown.length) focusItem(shown[0]);
        break;
      case "End":
        if (shown.length) focusItem(shown[shown.length - 1]);
        break;
      case "ArrowRight":
        if (expandable(current) && !isExpanded(current)) toggle(current);
        else if (current.children.length && isExpanded(current)) {
          const next = current.children.find(isShown);
          if (next) focusItem(next);
        }
        break;
      case "ArrowLeft":
        if (expandable(current) && isExpanded(current)) toggle(current);
        else if (current.parent) focusItem(current.parent);
        break;
      case "Enter":
      case " ":
        toggle(current);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  });

  // ---- checked against traces (analyze --traces) ---------------------------------------------------------------
  if (data.traces) {
    const t = data.traces;
    document.getElementById("traces").hidden = false;
    const files = t.files.length > 3 ? `${t.files.slice(0, 3).join(", ")}, ...` : t.files.join(", ");
    document.getElementById("traces-summary").textContent =
      `${number(t.spans)} spans in ${number(t.traces)} traces over ${t.windowS} s (${files});` +
      ` ${number(t.mapped)} of them belong to ${number(t.functions.length)} functions of the analysed code.`;
    // a recommended function's name shows its recommendation in the ranked list
    function fn(symbol, recommended, where) {
      const cell = el("span", "fn");
      if (recommended) {
        const link = el("button", "link", symbol);
        link.type = "button";
        link.title = "Show its recommendation";
        link.addEventListener("click", () => {
          nameInput.value = symbol;
          showView("ranked");
          document.getElementById("ranked-panel").scrollIntoView({ block: "start" });
        });
        cell.append(link);
      } else {
        cell.append(el("code", "", symbol));
      }
      if (where) cell.append(el("span", "where", ` ${where}`));
      return cell;
    }
    const functionRows = document.getElementById("traces-functions");
    for (const f of t.functions) {
      const tr = el("tr", f.errors ? "failing" : "");
      const name = el("td");
      name.append(fn(f.symbol, f.recommended, `${f.file}:${f.line}`));
      tr.append(name, el("td", "", f.spanName), el("td", "num", number(f.spans)), el("td", "num", number(f.traces)),
        el("td", "num", f.rate), el("td", "num", f.p50), el("td", "num", f.p95),
        el("td", "num", f.errors ? `${number(f.errors)} (${Math.round((100 * f.errors) / f.spans)}%)` : "0"),
        el("td", "num", `${f.untracedP95} (${Math.round(f.untracedShare * 100)}%)`));
      functionRows.append(tr);
    }
    if (t.gaps.length) {
      document.getElementById("traces-gaps-block").hidden = false;
      const gapRows = document.getElementById("traces-gaps");
      for (const g of t.gaps) {
        const tr = el("tr");
        const name = el("td");
        name.append(fn(g.symbol, false, `${g.file}:${g.line}`));
        const ran = el("td", "ran");
        for (const callee of g.callees) ran.append(fn(callee.symbol, callee.recommended));
        if (g.library.length) {
          const library = el("span", "library", "library: ");
          for (const call of g.library) library.append(el("code", "", call));
          ran.append(library);
        }
        tr.append(name, el("td", "num", g.p95), el("td", "num", `${g.untracedP95} (${Math.round(g.untracedShare * 100)}%)`),
          ran);
        gapRows.append(tr);
      }
    }
    if (t.unseen.length) {
      document.getElementById("traces-unseen-block").hidden = false;
      const list = document.getElementById("traces-unseen");
      for (const u of t.unseen) {
        const li = el("li");
        li.append(el("code", "", u.spanName), document.createTextNode(" in "), fn(u.symbol, false, `${u.file}:${u.line}`));
        list.append(li);
      }
    }
  }

  // ---- instrumentation to install, once per package --------------------------------------------------------------
  if (data.install.length) {
    document.getElementById("install").hidden = false;
    const list = document.getElementById("install-list");
    for (const line of data.install) list.append(withCode(el("li"), line));
  }

  // ---- problems ------------------------------------------------------------------------------------------------
  if (data.problems.length) {
    document.getElementById("problems").hidden = false;
    const list = document.getElementById("problem-list");
    for (const problem of data.problems) {
      const li = el("li");
      li.append(el("span", "sev", problem.severity));
      const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ""}: ` : "";
      li.append(document.createTextNode(where + problem.message));
      list.append(li);
    }
  }

  // ---- initial state from the URL fragment (#view=tree&q=place&priority=external_io&min=0.7&external=1) ------
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (params.has("q")) nameInput.value = params.get("q");
  if (params.has("priority")) prioritySelect.value = params.get("priority");
  if (params.has("min")) confidenceInput.value = params.get("min");
  if (params.get("external") === "1") externalInput.checked = true;
  showView(params.get("view") === "tree" ? "tree" : "ranked");
  if (params.get("expand") === "all") document.getElementById("expand-all").click();
  document.documentElement.dataset.ready = "true";
})();
