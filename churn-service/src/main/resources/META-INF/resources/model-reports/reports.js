// Churn model reports: every version churn-service trained, and for one of them every model and baseline side
// by side, the lift curve, calibration and what the chosen model leans on. Drawn from the public REST API.
"use strict";

// The reports need an analyst's bearer token. Behind a gateway that adds it, none is given here; otherwise open
// the page as /model-reports/#token=<JWT>: the fragment never reaches a server or its logs, the token is kept for
// this tab only (sessionStorage) and taken out of the address bar.
const TOKEN_KEY = "memberpulse.token";
const tokenInAddress = new URLSearchParams(location.hash.slice(1)).get("token");
if (tokenInAddress) {
  sessionStorage.setItem(TOKEN_KEY, tokenInAddress);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = sessionStorage.getItem(TOKEN_KEY);
const headers = token ? { Authorization: "Bearer " + token } : {};
const refusal = { 401: "sign-in needed: open the page as /model-reports/#token=<an analyst's token>",
  403: "this token is not an analyst's" };
const fetchOk = (path) => fetch(path, { headers }).then((r) => (r.ok ? r
  : Promise.reject(new Error(refusal[r.status] || path + ": " + r.status))));
const get = (path) => fetchOk(path).then((r) => r.json());
const SVG = "http://www.w3.org/2000/svg";
const fixed = (x, digits) => (x == null || Number.isNaN(x) ? "–" : Number(x).toFixed(digits));
const day = (instant) => (instant ? instant.slice(0, 10) : "–");

function svgElement(parent, name, attributes, text) {
  const element = parent.appendChild(document.createElementNS(SVG, name));
  Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

function rows(table, data, cells, rowClass) {
  const body = document.querySelector(`#${table} tbody`);
  body.replaceChildren(...data.map((row) => {
    const tr = document.createElement("tr");
    tr.className = rowClass ? rowClass(row) : "";
    cells(row).forEach((cell) => {
      const td = tr.appendChild(document.createElement("td"));
      if (cell instanceof Node) {
        td.appendChild(cell);
      } else {
        td.textContent = cell;
      }
    });
    return tr;
  }));
}

function versionLink(version) {
  const link = document.createElement("a");
  link.href = "?version=" + encodeURIComponent(version);
  link.textContent = version;
  return link;
}

// Lift at each share of members targeted, one line a model: the chosen one bold, baselines dashed.
function liftCurves(svg, report) {
  svg.replaceChildren();
  const curves = Object.entries(report.validation).filter(([, m]) => m.liftCurve && m.liftCurve.length);
  const maxLift = 1.1 * Math.max(1.5, ...curves.flatMap(([, m]) => m.liftCurve.map((p) => p.lift)));
  const x = (share) => 50 + share * 560;
  const y = (lift) => 195 - (lift / maxLift) * 180;
  svgElement(svg, "line", { x1: x(0), y1: y(0), x2: x(1), y2: y(0), class: "axis" });
  svgElement(svg, "line", { x1: x(0), y1: y(0), x2: x(0), y2: y(maxLift), class: "axis" });
  svgElement(svg, "line", { x1: x(0), y1: y(1), x2: x(1), y2: y(1), class: "axis" });
  for (let share = 0; share <= 1.0001; share += 0.2) {
    svgElement(svg, "text", { x: x(share) - 8, y: 210 }, Math.round(share * 100) + "%");
  }
  for (let lift = 0; lift <= maxLift; lift += 0.5) {
    svgElement(svg, "text", { x: 20, y: y(lift) + 3 }, lift.toFixed(1));
  }
  curves.forEach(([kind, metrics]) => {
    const role = kind === report.chosen ? "chosen" : report.baselines.includes(kind) ? "baseline" : "trained";
    const points = metrics.liftCurve.map((p) => `${x(p.share).toFixed(1)},${y(p.lift).toFixed(1)}`).join(" ");
    const line = svgElement(svg, "polyline", { points, class: role, "data-kind": kind });
    svgElement(line, "title", {}, `${kind}: lift ${fixed(metrics.liftAt20, 2)} at 20%`);
  });
  [["chosen", report.chosen + " (chosen)"], ["trained", "other trained models"], ["baseline", "baselines"]]
    .forEach(([role, label], i) => {
      svgElement(svg, "line", { x1: 440, y1: 14 + i * 14, x2: 470, y2: 14 + i * 14, class: role });
      svgElement(svg, "text", { x: 476, y: 18 + i * 14 }, label);
    });
}

// The chosen model's importance shares, largest first.
function importanceBars(svg, importance) {
  svg.replaceChildren();
  const max = Math.max(...importance.map((i) => i.share), 1e-9);
  importance.forEach((item, i) => {
    const top = 4 + i * 21;
    svgElement(svg, "text", { x: 0, y: top + 13 }, item.feature);
    const bar = svgElement(svg, "rect", { x: 190, y: top, width: Math.max(1, (item.share / max) * 380), height: 16 });
    svgElement(bar, "title", {}, item.description);
    svgElement(svg, "text", { x: 196 + (item.share / max) * 380, y: top + 13 }, (item.share * 100).toFixed(1) + "%");
  });
}

async function load() {
  const versions = await get("/models");
  if (versions.length === 0) {
    document.getElementById("status").textContent =
      "no version trained yet: ./memberpulse churn train, or POST /models/train";
    document.body.dataset.loaded = "empty";
    return;
  }
  const asked = new URLSearchParams(location.search).get("version");
  const selected = asked || (versions.find((v) => v.promoted) || versions[0]).version;
  rows("versions", versions, (v) => [versionLink(v.version), v.kind, day(v.trainedAt), day(v.asOf), v.horizonDays + " d",
    fixed(v.validationAuc, 3), fixed(v.validationLift, 2), v.promoted ? "yes" : "no"],
  (v) => (v.version === selected ? "selected" : ""));

  const report = await get(`/models/${encodeURIComponent(selected)}/report`);
  report.baselines = report.baselines || []; // reports stored before baselines were named
  const chosen = report.validation[report.chosen];
  document.getElementById("status").textContent = report.version;
  document.getElementById("chosen").textContent = report.chosen;
  document.getElementById("auc").textContent = chosen.aucLow95 == null ? fixed(chosen.auc, 3)
    : `${fixed(chosen.auc, 3)} (${fixed(chosen.aucLow95, 3)}–${fixed(chosen.aucHigh95, 3)})`;
  document.getElementById("lift").textContent = fixed(chosen.liftAt20, 2);
  document.getElementById("training").textContent = report.trainingRows.toLocaleString();
  document.getElementById("decision").textContent = report.decision;
  document.getElementById("window").textContent = `Facts up to ${day(report.asOf)}, horizon ${report.horizonDays} days; `
    + `validated on the members at ${day(report.validationCutoff)} (${chosen.members.toLocaleString()} members, `
    + `churn rate ${fixed(chosen.churnRate * 100, 1)}%); trained on ${report.trainingRows.toLocaleString()} examples `
    + `(churn rate ${fixed(report.trainingChurnRate * 100, 1)}%), ${report.treatedExamples.toLocaleString()} of them `
    + "with staff reaching the member within the horizon"
    // reports stored before fittedRows was kept counted the sample alone
    + (report.fittedRows != null && report.fittedRows < report.trainingRows
      ? `; fitted on a sample of ${report.fittedRows.toLocaleString()} of them.` : ".");
  rows("models", Object.entries(report.validation), ([kind, m]) => [kind, fixed(m.auc, 4),
    m.aucLow95 == null ? "–" : `${fixed(m.aucLow95, 3)}–${fixed(m.aucHigh95, 3)}`, fixed(m.recallAt20, 3),
    fixed(m.liftAt20, 2), fixed(m.precisionAt10, 3), fixed(m.brier, 4), fixed(m.profitPerThousandAt20, 1)],
  ([kind]) => (kind === report.chosen ? "chosen" : report.baselines.includes(kind) ? "baseline" : ""));
  liftCurves(document.getElementById("lift-curve"), report);
  importanceBars(document.getElementById("importance"), report.importance);
  const fit = report.bgNbd;
  document.getElementById("bgnbd").textContent = fit
    ? `r ${fixed(fit.r, 4)}, α ${fixed(fit.alpha, 4)}, a ${fixed(fit.a, 4)}, b ${fixed(fit.b, 4)}` : "not fitted";
  const png = await fetchOk(`/models/${encodeURIComponent(selected)}/reliability.png`).then((r) => r.blob());
  const image = document.getElementById("reliability");
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = () => reject(new Error("the reliability diagram could not be shown"));
    image.src = URL.createObjectURL(png);
  });
  document.body.dataset.loaded = "true";
}

load().catch((error) => {
  document.getElementById("status").textContent = "could not load: " + error.message;
  document.body.dataset.loaded = "error";
});
