// Error Queue page. Plain DOM: every value from the server is set with textContent, never parsed as HTML,
// so a payload holding markup stays text.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { cursors: [null], page: 0, rows: [], selected: new Set(), watched: new Set(), pollTimer: null };
const POLL_MS = 3000;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

async function api(path, options = {}) {
  const init = { credentials: "same-origin", headers: { Accept: "application/json" }, ...options };
  if (options.body !== undefined) {
    init.method = "POST";
    init.headers = { ...init.headers, "Content-Type": "application/json", "X-Error-Queue": "1" };
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch (_) { data = null; }
  if (!response.ok) {
    let detail = data && data.detail !== undefined ? data.detail : response.statusText;
    if (typeof detail !== "string") detail = JSON.stringify(detail);
    throw new Error(`${response.status}: ${detail}`);
  }
  return data;
}

function notice(parts, isError = false) {
  const box = $("#notice");
  box.replaceChildren(...parts);
  box.classList.toggle("error", isError);
  box.hidden = false;
}

function runLink(url, runId) {
  return el("a", { href: url, target: "_top", text: runId });
}

function statusBadge(row) {
  const badge = el("span", { class: `badge ${row.status}`, text: row.status, "data-status": row.status });
  if (row.replay_run_url) {
    return el("span", {}, badge, " ", el("a", { href: row.replay_run_url, target: "_top", class: "muted", text: "run" }));
  }
  return badge;
}

// ------------------------------------------------------------------ list

function filters() {
  const form = new FormData($("#filters"));
  const params = new URLSearchParams();
  for (const [name, value] of form.entries()) if (String(value).trim()) params.set(name, String(value).trim());
  return params;
}

async function loadList() {
  const params = filters();
  const cursor = state.cursors[state.page];
  if (cursor) params.set("cursor", cursor);
  let data;
  try {
    data = await api(`api/errors?${params}`);
  } catch (error) {
    notice([`Could not load the queue: ${error.message}`], true);
    return;
  }
  state.rows = data.rows;
  state.selected.clear();
  if (data.next_cursor) state.cursors[state.page + 1] = data.next_cursor;
  else state.cursors.length = state.page + 1;
  renderCounts(data.counts);
  renderRows();
  $("#total").textContent = `${data.total.toLocaleString()} matching`;
  $("#page-no").textContent = `page ${state.page + 1}`;
  $("#newer").disabled = state.page === 0;
  $("#older").disabled = !data.next_cursor;
  for (const row of data.rows) if (row.status === "retrying") state.watched.add(row.id);
  schedulePoll();
}

function renderCounts(counts) {
  const box = $("#counts");
  const flowSelect = $("#filters select[name=flow]");
  const classSelect = $("#filters select[name=error_class]");
  const flows = Object.keys(counts).sort();
  const classes = new Set();
  box.replaceChildren(...flows.map((flow) => {
    const byClass = counts[flow];
    const total = Object.values(byClass).reduce((a, b) => a + b, 0);
    Object.keys(byClass).forEach((c) => classes.add(c));
    const detail = Object.entries(byClass).sort().map(([c, n]) => `${c} ${n}`).join(" · ");
    return el("button", { type: "button", class: "count", "data-flow": flow, title: `Show ${flow} only`,
      onclick: () => { flowSelect.value = flow; resetAndLoad(); } },
      el("strong", { text: total.toLocaleString() }), el("span", { text: flow }), el("small", { text: detail }));
  }));
  if (!flows.length) box.replaceChildren(el("span", { class: "muted", text: "Nothing in this view." }));
  syncOptions(flowSelect, flows);
  syncOptions(classSelect, [...classes].sort());
}

function syncOptions(select, values) {
  const current = select.value;
  const known = new Set([...select.options].map((o) => o.value));
  for (const value of values) if (!known.has(value)) select.append(el("option", { value, text: value }));
  select.value = current;
}

function renderRows() {
  const body = $("#errors tbody");
  body.replaceChildren(...state.rows.map(rowElement));
  $("#empty").hidden = state.rows.length > 0;
  $("#select-all").checked = false;
  updateToolbar();
}

function rowElement(row) {
  const actionable = row.status === "open";
  const check = el("input", { type: "checkbox", "aria-label": `Select ${row.record_key}`, disabled: !actionable,
    onchange: (e) => { e.target.checked ? state.selected.add(row.id) : state.selected.delete(row.id); updateToolbar(); } });
  const retry = el("button", { type: "button", class: "btn small primary", text: "Retry", disabled: !actionable,
    "data-action": "retry", onclick: (e) => retryIds([row.id], e.target) });
  const ignore = el("button", { type: "button", class: "btn small", text: "Ignore",
    disabled: !(row.status === "open" || row.status === "retrying"), "data-action": "ignore",
    onclick: () => askIgnore(row) });
  return el("tr", { "data-id": row.id },
    el("td", {}, check),
    el("td", { class: "nowrap status" }, statusBadge(row)),
    el("td", { class: "nowrap", text: row.flow }),
    el("td", { class: "key" }, el("a", { href: `#/error/${row.id}`, text: row.record_key })),
    el("td", { class: "class" }, el("span", { text: row.error_class }),
      row.field_path ? el("code", { class: "field", text: row.field_path }) : null),
    el("td", { class: "msg" }, el("div", { class: "clamp", title: row.message, text: row.message })),
    el("td", { class: "hint" }, el("div", { class: "clamp", title: row.fix_hint || "", text: row.fix_hint || "" })),
    el("td", { class: "num", text: row.attempts }),
    el("td", { class: "nowrap seen" }, el("span", { text: when(row.last_seen) }),
      el("small", { class: "muted", text: when(row.first_seen) })),
    el("td", {}, row.log_url ? el("a", { href: row.log_url, target: "_top", title: "Task log of the failing run", text: "log" }) : ""),
    el("td", {}, el("div", { class: "actions" }, retry, ignore)));
}

function updateToolbar() {
  $("#retry-selected").disabled = state.selected.size === 0;
  $("#retry-shown").disabled = !state.rows.some((r) => r.status === "open");
}

function resetAndLoad() {
  state.cursors = [null];
  state.page = 0;
  loadList();
}

// ------------------------------------------------------------------ actions

async function retryIds(ids, button) {
  if (!ids.length) return;
  if (button) button.disabled = true; // one click, one run: the server also claims atomically
  try {
    const result = await api("api/retry", { body: { ids } });
    const parts = [`Retrying ${result.ids.length} row(s) in run `, runLink(result.run_url, result.run_id), "."];
    if (result.skipped.length) parts.push(` Skipped ${result.skipped.length} row(s) that were not open.`);
    notice(parts);
    for (const id of result.ids) {
      state.watched.add(id);
      const row = state.rows.find((r) => r.id === id);
      if (row) Object.assign(row, { status: "retrying", replay_run_id: result.run_id, replay_run_url: result.run_url });
    }
    state.selected.clear();
    renderRows();
    if (currentDetailId() !== null) loadDetail(currentDetailId());
    schedulePoll();
  } catch (error) {
    notice([`Retry failed: ${error.message}`], true);
    if (button) button.disabled = false;
  }
}

let ignoring = null;
function askIgnore(row) {
  ignoring = row;
  $("#ignore-what").textContent = `${row.flow} · ${row.record_key}`;
  $("#ignore-reason").value = "";
  $("#ignore-dialog").showModal();
}

async function submitIgnore(event) {
  event.preventDefault();
  const reason = $("#ignore-reason").value.trim();
  if (!reason || !ignoring) { $("#ignore-reason").reportValidity(); return; }
  const button = event.submitter || $("#ignore-form button[type=submit]");
  button.disabled = true;
  try {
    const result = await api(`api/errors/${ignoring.id}/ignore`, { body: { reason } });
    $("#ignore-dialog").close();
    notice([`Ignored ${result.row.record_key}.`]);
    const row = state.rows.find((r) => r.id === result.row.id);
    if (row) Object.assign(row, result.row);
    renderRows();
    if (currentDetailId() !== null) loadDetail(currentDetailId());
  } catch (error) {
    notice([`Ignore failed: ${error.message}`], true);
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ polling retrying rows

function schedulePoll() {
  if (state.pollTimer || state.watched.size === 0) return;
  state.pollTimer = setTimeout(poll, POLL_MS);
}

async function poll() {
  state.pollTimer = null;
  for (const id of [...state.watched]) {
    let data;
    try { data = await api(`api/errors/${id}`); } catch (_) { continue; }
    const fresh = data.row;
    if (fresh.status !== "retrying") state.watched.delete(id);
    const row = state.rows.find((r) => r.id === id);
    if (row) {
      Object.assign(row, fresh);
      const tr = document.querySelector(`#errors tr[data-id="${id}"]`);
      if (tr) tr.replaceWith(rowElement(row));
    }
    if (currentDetailId() === id) renderDetail(data);
  }
  updateToolbar();
  schedulePoll();
}

// ------------------------------------------------------------------ detail

function currentDetailId() {
  const match = /^#\/error\/(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

async function loadDetail(id) {
  try {
    const data = await api(`api/errors/${id}`);
    renderDetail(data);
    if (data.row.status === "retrying") { state.watched.add(id); schedulePoll(); }
  } catch (error) {
    notice([`Could not load error ${id}: ${error.message}`], true);
  }
}

function renderDetail({ row, history }) {
  $("#detail-title").textContent = `${row.flow} · ${row.record_key}`;
  const facts = [
    ["Status", statusBadge(row)], ["Error class", row.error_class],
    ["Field", row.field_path ? el("code", { class: "field", text: row.field_path }) : "—"],
    ["Code", row.code || "—"], ["Message", row.message], ["Fix hint", row.fix_hint || "—"],
    ["Attempts", String(row.attempts)], ["First seen", when(row.first_seen)], ["Last seen", when(row.last_seen)],
    ["Failed in", row.log_url ? el("a", { href: row.log_url, target: "_top",
      text: `${row.dag_id} · ${row.run_id}${row.task_id ? ` · ${row.task_id}` : ""} (task log)` }) : (row.run_id || "—")],
  ];
  if (row.resolution) facts.push(["Resolution", `${row.resolution} (${row.resolved_by || ""}, ${when(row.resolved_at)})`]);
  $("#detail-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
  const actions = $("#detail-actions");
  actions.replaceChildren(
    el("button", { type: "button", class: "btn primary", text: "Retry", disabled: row.status !== "open",
      "data-action": "retry", onclick: (e) => retryIds([row.id], e.target) }),
    el("button", { type: "button", class: "btn", text: "Ignore",
      disabled: !(row.status === "open" || row.status === "retrying"), onclick: () => askIgnore(row) }));
  $("#payload-source").textContent = row.payload_source === "source" ? "" : `(${row.payload_source})`;
  const found = renderJson($("#payload"), row.payload, parseFieldPath(row.field_path));
  const note = $("#payload-note");
  note.hidden = !row.field_path || found.exact;
  note.textContent = row.field_path && !found.exact
    ? `${row.field_path} is missing from the payload; its nearest parent is highlighted.` : "";
  $("#history tbody").replaceChildren(...history.map((h) => el("tr", {},
    el("td", { class: "nowrap", text: when(h.at) }), el("td", { text: h.event }), el("td", { text: h.by || "" }),
    el("td", { text: h.error_class || "" }),
    el("td", {}, h.field_path ? el("code", { class: "field", text: h.field_path }) : ""),
    el("td", { class: "msg", text: h.message || "" }),
    el("td", {}, h.log_url ? el("a", { href: h.log_url, target: "_top", text: "log" }) : ""))));
}

// "items[].sku" -> ["items", "[]", "sku"]; "lines[2].qty" -> ["lines", 2, "qty"]
function parseFieldPath(path) {
  if (!path) return null;
  const tokens = [];
  for (const part of path.split(".")) {
    const match = /^([^[\]]*)((?:\[\d*\])*)$/.exec(part);
    if (!match) { tokens.push(part); continue; }
    if (match[1]) tokens.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d*)\]/g)) tokens.push(index[1] === "" ? "[]" : Number(index[1]));
  }
  return tokens;
}

function matches(path, target) {
  if (!target || path.length > target.length) return false;
  return path.every((token, i) => target[i] === "[]" ? typeof token === "number" : target[i] === token);
}

// Pretty JSON built from DOM nodes; the failing field (or its deepest existing parent) is wrapped in <mark>.
function renderJson(pre, value, target) {
  let deepest = 0;
  const exactNodes = [];
  const prefixNodes = [];
  function walk(node, path, indent, parent) {
    const pad = "  ".repeat(indent);
    if (node !== null && typeof node === "object") {
      const isArray = Array.isArray(node);
      const entries = isArray ? node.map((v, i) => [i, v]) : Object.entries(node);
      parent.append(isArray ? "[" : "{");
      if (!entries.length) { parent.append(isArray ? "]" : "}"); return; }
      parent.append("\n");
      entries.forEach(([key, child], i) => {
        const childPath = [...path, key];
        const line = el("span", { "data-path": childPath.join(".") });
        line.append(pad + "  ");
        if (!isArray) line.append(JSON.stringify(key) + ": ");
        walk(child, childPath, indent + 1, line);
        if (i < entries.length - 1) line.append(",");
        if (matches(childPath, target)) {
          if (childPath.length === target.length) exactNodes.push(line);
          else if (childPath.length >= deepest) {
            if (childPath.length > deepest) prefixNodes.length = 0;
            deepest = childPath.length; prefixNodes.push(line);
          }
        }
        parent.append(line, "\n");
      });
      parent.append(pad + (isArray ? "]" : "}"));
    } else {
      parent.append(JSON.stringify(node));
    }
  }
  const root = document.createDocumentFragment();
  walk(value, [], 0, root);
  const marked = exactNodes.length ? exactNodes : prefixNodes;
  for (const line of marked) {
    const mark = el("mark", { class: "failing", title: "failing field" });
    line.replaceWith(mark);
    mark.append(line);
  }
  pre.replaceChildren(root);
  // replaceWith() on nodes still inside the fragment keeps them in place; marks are now in the <pre>.
  const first = pre.querySelector("mark.failing");
  if (first) first.scrollIntoView({ block: "nearest" });
  return { exact: exactNodes.length > 0 };
}

// ------------------------------------------------------------------ routing

function route() {
  const id = currentDetailId();
  $("#list-view").hidden = id !== null;
  $("#detail-view").hidden = id === null;
  if (id !== null) loadDetail(id);
  else loadList();
}

// Follow the Airflow UI's own light/dark choice (its <html> carries "light" or "dark"); without a
// parent UI, the CSS falls back to prefers-color-scheme.
function followAirflowTheme() {
  let host;
  try { host = window.parent !== window ? window.parent.document.documentElement : null; } catch (_) { host = null; }
  if (!host) return;
  const apply = () => {
    const mode = host.classList.contains("dark") ? "dark" : host.classList.contains("light") ? "light" : null;
    document.documentElement.classList.toggle("dark", mode === "dark");
    document.documentElement.classList.toggle("light", mode === "light");
  };
  apply();
  new MutationObserver(apply).observe(host, { attributes: true, attributeFilter: ["class", "style"] });
}

document.addEventListener("DOMContentLoaded", () => {
  followAirflowTheme();
  $("#filters").addEventListener("submit", (e) => { e.preventDefault(); resetAndLoad(); });
  $("#filters select[name=status]").addEventListener("change", resetAndLoad);
  $("#filters select[name=flow]").addEventListener("change", resetAndLoad);
  $("#filters select[name=error_class]").addEventListener("change", resetAndLoad);
  $("#newer").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); loadList(); });
  $("#older").addEventListener("click", () => { state.page += 1; loadList(); });
  $("#select-all").addEventListener("change", (e) => {
    document.querySelectorAll("#errors tbody input[type=checkbox]:not(:disabled)").forEach((box) => {
      box.checked = e.target.checked;
      const id = Number(box.closest("tr").dataset.id);
      e.target.checked ? state.selected.add(id) : state.selected.delete(id);
    });
    updateToolbar();
  });
  $("#retry-selected").addEventListener("click", (e) => retryIds([...state.selected], e.target));
  $("#retry-shown").addEventListener("click", (e) =>
    retryIds(state.rows.filter((r) => r.status === "open").map((r) => r.id), e.target));
  $("#ignore-form").addEventListener("submit", submitIgnore);
  $("#ignore-cancel").addEventListener("click", () => $("#ignore-dialog").close());
  $("#back").addEventListener("click", (e) => { e.preventDefault(); location.hash = ""; });
  window.addEventListener("hashchange", route);
  route();
});
