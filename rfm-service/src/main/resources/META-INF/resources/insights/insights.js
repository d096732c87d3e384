// Member insights: the dashboard views of rfm-service, drawn from its public REST API.
"use strict";

// ?from=…&to=… (ISO-8601) choose the window; by default the service shows the last 90 days of event time.
const params = new URLSearchParams(location.search);
const windowQuery = ["from", "to"].filter((k) => params.get(k)).map((k) => `${k}=${encodeURIComponent(params.get(k))}`).join("&");
const withWindow = (path) => (windowQuery ? path + (path.includes("?") ? "&" : "?") + windowQuery : path);
// The views need an analyst's bearer token. Behind a gateway that adds it, none is given here; otherwise open
// the page as /insights/#token=<JWT>: the fragment never reaches a server or its logs, the token is kept for
// this tab only (sessionStorage) and taken out of the address bar.
const TOKEN_KEY = "memberpulse.token";
const tokenInAddress = new URLSearchParams(location.hash.slice(1)).get("token");
if (tokenInAddress) {
  sessionStorage.setItem(TOKEN_KEY, tokenInAddress);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = sessionStorage.getItem(TOKEN_KEY);
const headers = token ? { Authorization: "Bearer " + token } : {};
const refusal = { 401: "sign-in needed: open the page as /insights/#token=<an analyst's token>",
  403: "this token is not an analyst's" };
const get = (path) => fetch(path, { headers }).then((r) => (r.ok ? r.json()
  : Promise.reject(new Error(refusal[r.status] || path + ": " + r.status))));
const pct = (x) => (x * 100).toFixed(1) + "%";
const money = (x) => x.toLocaleString(undefined, { maximumFractionDigits: 0 });

function bars(svg, values, labels) {
  const max = Math.max(1, ...values);
  const width = 640 / Math.max(1, values.length);
  svg.replaceChildren();
  values.forEach((value, i) => {
    const height = (value / max) * 150;
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("x", i * width + 1);
    rect.setAttribute("y", 160 - height);
    rect.setAttribute("width", Math.max(1, width - 2));
    rect.setAttribute("height", height);
    rect.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "title")).textContent = labels[i] + ": " + value;
    svg.appendChild(rect);
    if (i % Math.ceil(values.length / 8) === 0) {
      const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
      text.setAttribute("x", i * width);
      text.setAttribute("y", 175);
      text.textContent = labels[i];
      svg.appendChild(text);
    }
  });
}

function rows(table, data, cells) {
  const body = document.querySelector(`#${table} tbody`);
  body.replaceChildren(...data.map((row) => {
    const tr = document.createElement("tr");
    cells(row).forEach((cell) => (tr.appendChild(document.createElement("td")).textContent = cell));
    return tr;
  }));
}

async function load() {
  const [repurchase, activity, values, stores, funnel, segments, regions] = await Promise.all([
    get(withWindow("/dashboard/repurchase")), get(withWindow("/dashboard/activity")),
    get(withWindow("/dashboard/order-values?width=50")), get(withWindow("/dashboard/stores")),
    get(withWindow("/dashboard/funnel")), get("/segments"), get(withWindow("/dashboard/regions")),
  ]);
  document.getElementById("window").textContent = windowQuery ? decodeURIComponent(windowQuery).replace("&", "  ") : "last 90 days";
  document.getElementById("buyers").textContent = repurchase.buyers.toLocaleString();
  document.getElementById("repurchase-rate").textContent = pct(repurchase.repurchaseRate);
  document.getElementById("cycle").textContent =
    repurchase.medianCycleDays == null ? "–" : repurchase.medianCycleDays.toFixed(0) + " days";
  bars(document.getElementById("activity"), activity.map((w) => w.activeMembers), activity.map((w) => w.week));
  const shown = values.slice(0, 30);
  bars(document.getElementById("order-values"), shown.map((b) => b.orders), shown.map((b) => money(b.from)));
  rows("segments", segments.filter((s) => s.size > 0), (s) => [s.name, s.size.toLocaleString()]);
  rows("stores", stores.slice(0, 15), (s) => [s.storeId, s.members.toLocaleString(), s.orders.toLocaleString(), money(s.revenue),
    money(s.averageOrderValue), pct(s.repurchaseRate)]);
  rows("regions", regions, (r) => [r.region, r.stores.length.toLocaleString(), r.members.toLocaleString(),
    r.orders.toLocaleString(), money(r.revenue), money(r.averageOrderValue), pct(r.repurchaseRate)]);
  rows("funnel", funnel.slice(0, 15), (f) => [f.storeId, f.newMembers.toLocaleString(),
    f.repurchasedWithin7Days.toLocaleString(), f.stillWithinFirst7Days.toLocaleString(), pct(f.rate)]);
  document.body.dataset.loaded = "true";
}

load().catch((error) => {
  document.getElementById("window").textContent = "could not load: " + error.message;
  document.body.dataset.loaded = "error";
});
