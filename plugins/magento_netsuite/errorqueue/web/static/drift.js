// Drift section of the Error Queue page: the latest reconciliation report and the trend of recent runs.
// Every value from the server is set with textContent, never parsed as HTML.
"use strict";

(function () {
  const node = (tag, text, attrs = {}) => {
    const n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = String(text);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    return n;
  };
  const show = (v) => (v === null || v === undefined || v === "" ? "∅" : typeof v === "object" ? JSON.stringify(v) : String(v));

  function renderLatest(report) {
    const r = report.report || {};
    document.getElementById("drift-empty").hidden = true;
    document.getElementById("drift-latest").hidden = false;
    document.getElementById("drift-headline").textContent =
      `Run ${report.run_id}: ${r.drifted} of ${r.compared} customers drifted (${r.drift_percent}%, alert above ` +
      `${r.threshold_percent}%); ${r.differences} difference(s), ${r.repaired} repaired, ${r.unrepairable} to the error queue.`;
    const body = document.querySelector("#drift-fields tbody");
    body.replaceChildren();
    for (const [field, kinds] of Object.entries(r.by_field || {})) {
      for (const [kind, count] of Object.entries(kinds)) {
        const examples = ((r.examples || {})[field] || []).filter((e) => e.kind === kind)
          .map((e) => e.customer_id !== undefined && "netsuite" in e
            ? `${e.customer_id}: ${show(e.netsuite)} / ${show(e.magento)}`
            : Object.entries(e).filter(([k]) => k !== "kind").map(([k, v]) => `${k}=${show(v)}`).join(" "))
          .join("; ");
        const row = node("tr");
        row.append(node("td", field), node("td", kind.replaceAll("_", " ")), node("td", count), node("td", examples));
        body.append(row);
      }
    }
  }

  function renderTrend(trend) {
    const body = document.querySelector("#drift-trend tbody");
    body.replaceChildren();
    const peak = Math.max(1, ...trend.map((t) => t.drifted));
    for (const t of trend) {
      const bar = node("span", "", { class: "drift-bar", title: `${t.drifted} drifted` });
      bar.style.width = `${Math.round((100 * t.drifted) / peak)}px`;
      const row = node("tr");
      row.append(node("td", t.run_id), node("td", (t.at || "").replace("T", " ").slice(0, 19)), node("td", t.compared),
        node("td", t.drifted), node("td", t.differences), node("td", t.repaired), node("td", t.unrepairable));
      const cell = node("td");
      cell.append(bar);
      row.append(cell);
      body.append(row);
    }
  }

  async function load() {
    const response = await fetch("api/drift", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    if (data.latest) renderLatest(data.latest);
    renderTrend(data.trend || []);
  }

  document.addEventListener("DOMContentLoaded", load);
})();
