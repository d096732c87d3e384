// The store-staff page: today's call list of the signed-in store, one tap to record an outcome.
// It is the reference client for staff apps: everything it does goes through the public REST API, with the
// bearer token the staff member's sign-in gave them. The token is kept in sessionStorage (gone with the tab)
// and never put in the URL; the service, not this page, decides which store it may see (its store_id claim).
"use strict";

const TOKEN_KEY = "memberpulse.token";

// Every result the API takes (POST /tasks/{id}/outcome): an opt-out stops every later call, a complaint is followed up
// by the store; a follow-up date is sent only for a member nobody answered (no rule calls them before it).
const OUTCOMES = [
  { label: "Will return", reached: true, result: "will_return", primary: true },
  { label: "Not interested", reached: true, result: "not_interested" },
  { label: "Not reached", reached: false, result: "not_reached", followUp: true },
  { label: "Opted out", reached: true, result: "opted_out" },
  { label: "Complaint", reached: true, result: "complaint" },
];

const storeInput = document.getElementById("store");
const tokenInput = document.getElementById("token");
const statusLine = document.getElementById("status");
const calls = document.getElementById("calls");

function say(text, isError) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
}

function signedInStore() {
  return new URLSearchParams(location.search).get("store") || localStorage.getItem("memberpulse.store") || "";
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

// The store_id claim of a token: staff see only that store's calls, so it wins over a store remembered from another
// sign-in (the address, this device); unverified, for convenience only (the service decides).
function storeOfToken(jwt) {
  try {
    const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(payload + "=".repeat((4 - (payload.length % 4)) % 4)));
    return typeof claims.store_id === "string" ? claims.store_id : "";
  } catch (notAToken) {
    return "";
  }
}

function authorized(headers) {
  return { ...headers, Authorization: "Bearer " + token() };
}

// What to tell the staff member when the service refused: 401 and 403 are about the token, 404 about the store.
async function refusal(response, what) {
  const problem = await response.json().catch(() => ({}));
  switch (response.status) {
    case 401:
      return "Your token was not accepted (expired or not from the sign-in): sign in again and paste the new one.";
    case 403:
      // A refusal that is not about the token (phone reveals turned off) says why in its detail.
      return problem.detail || "Your token does not allow " + what + ": it needs the staff or analyst role.";
    case 404:
      return (problem.detail || "not found") + " (or not of the store your token is for).";
    default:
      return "Could not " + what + ": " + (problem.detail || response.status);
  }
}

// The list's currency (ISO 4217, memberpulse.campaign.currency) and the locale amounts are written in
// (memberpulse.campaign.currency-locale; none: the symbol first, thousands commas, as "en" writes it), as the talking
// points write them; set per list.
let currency = "CNY";
let currencyLocale = "en";

function money(value) {
  return new Intl.NumberFormat(currencyLocale, { style: "currency", currency, currencyDisplay: "narrowSymbol",
    minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(value);
}

function escaped(text) {
  return String(text).replace(/[<>&"]/g, "");
}

// The risk line; a member with no churn score yet has none (null figures), not a risk of 0%.
function riskText(task) {
  return task.churnProbability == null ? "not scored yet"
    : `churn risk ${(task.churnProbability * 100).toFixed(0)}% · value at risk ${money(task.valueAtRisk)}`;
}

function dueText(task) {
  const hours = Math.round((new Date(task.dueAt) - Date.now()) / 3_600_000);
  return task.overdue ? `overdue by ${-hours} h` : `due in ${hours} h`;
}

// An open coupon is the first thing to offer on the call: it stands out beside the member.
function couponBadge(task) {
  const coupons = (task.insight && task.insight.openCoupons) || [];
  if (!coupons.length) return "";
  const first = coupons[0];
  const value = first.value != null ? " " + money(first.value) : "";
  // the expiry day as the staff device's clock reads it (the store's zone), not UTC's
  const expires = new Date(first.expiresAt).toLocaleDateString(undefined, { year: "numeric", month: "2-digit", day: "2-digit" });
  return `<span class="coupon" title="expires ${expires}">${coupons.length} open coupon${coupons.length > 1 ? "s" : ""}${value}</span>`;
}

function render(task, store) {
  const item = document.createElement("li");
  item.className = "call" + (task.overdue ? " overdue" : "");
  item.dataset.taskId = task.taskId;
  item.innerHTML = `
    <div class="who">Member ${task.memberId.slice(0, 8)}${task.memberNo ? " · No. " + escaped(task.memberNo) : ""}<span class="phone">${task.maskedPhone ? " · ☎ " + escaped(task.maskedPhone) : ""}</span><span class="badge">OVERDUE</span>${couponBadge(task)}</div>
    <div class="numbers">${riskText(task)} · ${dueText(task)}</div>
    <ul>${task.talkingPoints.map((point) => `<li>${point.replace(/[<>&]/g, "")}</li>`).join("")}</ul>
    <textarea class="note" maxlength="2000" rows="2" placeholder="note (optional)"></textarea>
    <label class="follow-up-date">call again on (not reached) <input class="follow-up" type="date"></label>
    <div class="actions"></div>
    <div class="result"></div>`;
  const actions = item.querySelector(".actions");
  if (task.maskedPhone) {
    const reveal = document.createElement("button");
    reveal.textContent = "Show number";
    reveal.className = "reveal";
    reveal.addEventListener("click", () => revealPhone(item, task, reveal));
    actions.appendChild(reveal);
  }
  for (const outcome of OUTCOMES) {
    const button = document.createElement("button");
    button.textContent = outcome.label;
    button.dataset.result = outcome.result;
    if (outcome.primary) button.className = "primary";
    button.addEventListener("click", () => record(item, task, outcome, store));
    actions.appendChild(button);
  }
  return item;
}

// The full number, asked for only when the staff member is about to dial: each reveal is recorded by the service.
async function revealPhone(item, task, button) {
  button.disabled = true;
  const response = await fetch(`/tasks/${encodeURIComponent(task.taskId)}/contact`, { method: "POST", headers: authorized({}) });
  if (!response.ok) {
    say(response.status === 409 ? "This call is closed: its number is no longer shown."
      : await refusal(response, "show this number"), true);
    button.disabled = false;
    return;
  }
  const contact = await response.json();
  const phone = item.querySelector(".phone");
  if (contact.phone) {
    phone.textContent = " · ☎ ";
    const link = document.createElement("a");
    link.href = "tel:" + contact.phone.replace(/[^0-9+]/g, "");
    link.textContent = contact.phone;
    phone.appendChild(link);
  } else {
    say("No full number is known for this member: only the masked one.", true);
  }
  button.remove();
}

async function record(item, task, outcome, store) {
  const enable = (on) => item.querySelectorAll("button").forEach((b) => (b.disabled = !on));
  enable(false);
  const sent = { reached: outcome.reached, result: outcome.result, version: task.version,
    note: item.querySelector(".note").value.trim() };
  const followUp = item.querySelector(".follow-up").value;
  if (outcome.followUp && followUp) sent.followUpDate = followUp;
  let response;
  try {
    response = await fetch(`/tasks/${encodeURIComponent(task.taskId)}/outcome`, {
      method: "POST",
      headers: authorized({ "Content-Type": "application/json" }),
      body: JSON.stringify(sent),
    });
  } catch (offline) {
    // The request never reached the service (no network): nothing was recorded, the same tap sends it again.
    say("Outcome not sent — retry.", true);
    enable(true);
    return;
  }
  if (response.ok) {
    item.classList.add("done");
    item.querySelector(".result").textContent = "Recorded: " + outcome.label;
    say("Outcome recorded.");
  } else if (response.status === 409) {
    say("A colleague changed this call; the list is refreshed.", true);
    await load(store);
  } else if (response.status === 404) {
    // The call is no longer this store's (the member moved): the list as it now stands.
    await load(store);
    say("This call is no longer on your store's list; the list is refreshed.", true);
  } else {
    say(await refusal(response, "record this outcome"), true);
    enable(true);
  }
}

async function load(store) {
  calls.replaceChildren();
  tokenInput.placeholder = token() ? "token kept for this tab" : "paste your sign-in token";
  if (!token()) {
    say("Paste the token your sign-in gave you, then sign in: the calls are shown only with it.", Boolean(store));
    return;
  }
  if (!store) {
    say("Sign in with your store id.");
    return;
  }
  say("Loading the calls of " + store + "…");
  let response;
  try {
    response = await fetch(`/stores/${encodeURIComponent(store)}/call-list`, { headers: authorized({}) });
  } catch (offline) {
    say("The calls could not be loaded: not sent — retry (sign in again).", true);
    return;
  }
  if (!response.ok) {
    say(await refusal(response, "see call lists"), true);
    return;
  }
  const list = await response.json();
  currency = list.currency || "CNY";
  currencyLocale = list.currencyLocale || "en";
  list.tasks.forEach((task) => calls.appendChild(render(task, store)));
  const overdue = list.tasks.filter((t) => t.overdue).length;
  const messages = (list.guideMessages || []).length;
  say(`${list.tasks.length} calls for ${store}` + (overdue ? `, ${overdue} overdue` : "") + "."
    + (messages ? ` ${messages} more for guides' private messages.` : ""));
}

document.getElementById("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  const pasted = tokenInput.value.trim();
  if (pasted) {
    sessionStorage.setItem(TOKEN_KEY, pasted);
  }
  tokenInput.value = "";
  const store = storeOfToken(token()) || storeInput.value.trim();
  storeInput.value = store;
  localStorage.setItem("memberpulse.store", store);
  history.replaceState(null, "", "?store=" + encodeURIComponent(store));
  load(store);
});

document.getElementById("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  tokenInput.value = "";
  load(storeInput.value.trim());
});

storeInput.value = storeOfToken(token()) || signedInStore();
load(storeInput.value);
