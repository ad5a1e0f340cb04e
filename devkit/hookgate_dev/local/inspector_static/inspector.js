// hookgate inspector. Plain JavaScript, no build step. Everything from a request is put on
// the page with textContent (never as HTML): request bodies come from anyone.
"use strict";

(() => {
  const API = "api/";
  const CSRF = document.querySelector('meta[name="hookgate-csrf"]').content;
  const MAX_ROWS = 500;
  const rows = new Map(); // id -> summary
  const registrations = new Map(); // name -> overview entry
  let opened = null; // id of the opened request
  let openedSeq = 0;
  let bodyRaw = false;
  let openedDetail = null;
  let secretsBuilt = false;

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("aria-") || key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) node.append(child);
    return node;
  };
  const say = (message) => {
    const status = $("status");
    status.textContent = message;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { status.textContent = ""; }, 8000);
  };
  const time = (iso) => {
    if (!iso) return "—";
    const d = new Date(iso);
    return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  };
  const when = (iso) => (iso ? new Date(iso).toLocaleString([], { hour12: false }) : "—");

  async function getJSON(path) {
    const response = await fetch(API + path, { headers: { accept: "application/json" } });
    return response.json();
  }

  async function post(path, body) {
    const response = await fetch(API + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hookgate-csrf": CSRF },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (_) { data = { error: await response.text() }; }
    return { ok: response.ok, status: response.status, data };
  }

  // -- views -------------------------------------------------------------------------------

  function show(view) {
    for (const name of ["requests", "secrets"]) {
      $("view-" + name).hidden = name !== view;
      $("tab-" + name).setAttribute("aria-pressed", String(name === view));
    }
  }
  $("tab-requests").addEventListener("click", () => show("requests"));
  $("tab-secrets").addEventListener("click", () => show("secrets"));

  // -- the request list ----------------------------------------------------------------------

  function answerText(row) {
    return `${row.status} ${row.outcome || row.result}`;
  }

  function answerClass(row) {
    if (row.result === "accepted") return "answer-ok";
    if (row.result === "duplicate") return "answer-dup";
    if (row.result === "refused" || row.result === "failed") return "answer-bad";
    return "";
  }

  function matches(row) {
    const provider = $("filter-provider").value;
    const registration = $("filter-registration").value;
    const result = $("filter-result").value;
    return (!provider || row.provider === provider) &&
      (!registration || row.registration === registration) &&
      (!result || row.result === result);
  }

  function rowFor(row) {
    const open = el("button", { type: "button", text: time(row.at), "aria-label": `Open request ${row.id} at ${time(row.at)}` });
    open.addEventListener("click", (event) => { event.stopPropagation(); openRequest(row.id, true); });
    const answer = el("td", {}, el("span", { class: answerClass(row), text: answerText(row) }));
    if (row.reason && row.status >= 400) answer.append(el("span", { class: "reason", text: row.reason }));
    if (row.origin) answer.append(el("span", { class: "badge", text: row.origin }));
    const events = row.events.length
      ? row.events.map((e) => e.type).join(", ")
      : (row.duplicates ? `none new (${row.duplicates} duplicate)` : "—");
    const tr = el("tr", { "data-id": String(row.id), "data-result": row.result },
      el("td", {}, open),
      el("td", {}, row.registration, el("span", { class: "sub", text: row.provider })),
      answer,
      el("td", { text: row.stage || "—" }),
      el("td", { class: "num", text: `${row.latency_ms} ms` }),
      el("td", { class: "events", text: events, title: events }));
    tr.addEventListener("click", () => openRequest(row.id, false));
    if (row.id === opened) tr.setAttribute("aria-current", "true");
    tr.hidden = !matches(row);
    return tr;
  }

  function upsert(row) {
    rows.set(row.id, row);
    const body = $("requests").tBodies[0];
    const fresh = rowFor(row);
    const old = body.querySelector(`tr[data-id="${row.id}"]`);
    if (old) {
      // Updated in place, its button kept: keyboard focus stays where it was.
      const cells = [...fresh.cells];
      for (let i = 1; i < cells.length; i++) old.cells[i].replaceWith(cells[i]);
      old.dataset.result = row.result;
      old.hidden = fresh.hidden;
    } else {
      body.prepend(fresh);
    }
    while (body.rows.length > MAX_ROWS) {
      const last = body.rows[body.rows.length - 1];
      rows.delete(Number(last.dataset.id));
      last.remove();
    }
    updateEmpty();
    addOption($("filter-provider"), row.provider);
    if (row.id === opened && row.seq !== openedSeq) openRequest(row.id, false);
  }

  function addOption(select, value) {
    if (!value || [...select.options].some((o) => o.value === value)) return;
    select.append(el("option", { value, text: value }));
  }

  const EMPTY = $("empty").textContent;

  function updateEmpty() {
    const shown = [...$("requests").tBodies[0].rows].some((tr) => !tr.hidden);
    $("empty").hidden = shown;
    $("empty").textContent = rows.size ? "No request matches these filters." : EMPTY;
  }

  function refilter() {
    for (const tr of $("requests").tBodies[0].rows) {
      tr.hidden = !matches(rows.get(Number(tr.dataset.id)));
    }
    updateEmpty();
  }
  for (const id of ["filter-provider", "filter-registration", "filter-result"]) {
    $(id).addEventListener("change", refilter);
  }

  // -- one request opened --------------------------------------------------------------------

  async function openRequest(id, focus) {
    const detail = await getJSON(`requests/${id}`);
    if (detail.error) { say(detail.error); return; }
    opened = id;
    openedSeq = detail.summary.seq;
    openedDetail = detail;
    for (const tr of $("requests").tBodies[0].rows) {
      if (Number(tr.dataset.id) === id) tr.setAttribute("aria-current", "true");
      else tr.removeAttribute("aria-current");
    }
    renderDetail(detail);
    if (focus) $("detail").focus();
  }

  function fact(list, name, value, cls) {
    list.append(el("dt", { text: name }), el("dd", { text: value, class: cls || "" }));
  }

  function kvRows(table, pairs) {
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const pair of pairs) {
      const value = el("td", { text: pair.value, class: pair.redacted ? "redacted" : "" });
      if (pair.redacted) value.append(" ", el("span", { class: "badge", text: "redacted" }));
      body.append(el("tr", {}, el("td", { text: pair.name }), value));
    }
  }

  function renderBody(detail) {
    const pretty = detail.body.json !== null && !bodyRaw;
    $("body").textContent = pretty ? JSON.stringify(detail.body.json, null, 2) : detail.body.text;
    $("body-raw").textContent = bodyRaw ? "Show pretty JSON" : "Show raw";
    $("body-raw").setAttribute("aria-pressed", String(bodyRaw));
    $("body-raw").hidden = detail.body.json === null;
  }

  function renderDetail(detail) {
    const s = detail.summary;
    $("detail-title").textContent = `#${s.id} ${s.method} ${detail.path}`;
    $("detail-hint").hidden = true;
    $("detail-body").hidden = false;
    const verdict = $("verdict");
    verdict.replaceChildren();
    fact(verdict, "Received", when(s.at));
    fact(verdict, "Answer", `${s.status} ${s.outcome || s.result}`, answerClass(s));
    if (detail.verdict.reason) fact(verdict, "Internal reason", `${detail.verdict.reason} (logged; never sent to the provider)`, "error");
    fact(verdict, "Verified with", detail.verdict.stage ? `${detail.verdict.stage} secret` : "—");
    fact(verdict, "Events", `${detail.verdict.accepted} published, ${detail.verdict.duplicates} duplicate`);
    fact(verdict, "Latency", `${s.latency_ms} ms`);
    if (s.origin) fact(verdict, "Origin", s.origin);
    kvRows($("headers"), detail.headers);
    $("query-block").hidden = detail.query.length === 0;
    kvRows($("query"), detail.query);
    $("body-size").textContent = `(${detail.body.size} bytes)`;
    renderBody(detail);
    $("answer").textContent = detail.answer.text || "(empty)";
    const events = $("events");
    events.replaceChildren();
    if (detail.events.length === 0) {
      events.append(el("p", { class: "note", text: s.duplicates ? "Nothing new on the bus: every event in it was a duplicate." : "No event on the bus from this request." }));
    }
    for (const event of detail.events) {
      const box = el("article", { class: "event" },
        el("h4", { text: event.type }),
        el("dl", { class: "facts" },
          el("dt", { text: "event_id" }), el("dd", { class: "mono", text: event.event_id }),
          el("dt", { text: "dedupe_key" }), el("dd", { class: "mono", text: event.dedupe_key })));
      if (event.on_bus) {
        box.append(el("pre", { tabIndex: 0, "aria-label": `Event ${event.event_id} as it landed on the bus`, text: JSON.stringify(event.on_bus, null, 2) }));
      } else {
        box.append(el("p", { class: "note", text: "Published; waiting to see it on the bus…" }));
      }
      events.append(box);
    }
  }

  $("body-raw").addEventListener("click", () => {
    bodyRaw = !bodyRaw;
    if (openedDetail) renderBody(openedDetail);
  });

  $("replay").addEventListener("click", async () => {
    if (opened === null) return;
    const result = await post(`requests/${opened}/replay`);
    if (!result.ok) { say(`Replay refused: ${result.data.error}`); return; }
    say(`Replayed #${opened}: hookgate answered ${result.data.status}.`);
    if (result.data.request) await openRequest(result.data.request, true);
  });

  $("send-sample").addEventListener("click", async () => {
    const name = $("send-registration").value;
    const result = await post("send", { registration: name });
    if (!result.ok) { say(`Not sent: ${result.data.error}`); return; }
    say(`Sample sent to ${name}: hookgate answered ${result.data.status}.`);
    if (result.data.request) await openRequest(result.data.request, false);
  });

  // -- secrets and rotation ----------------------------------------------------------------

  function buildCards(snapshot) {
    const box = $("secrets");
    box.replaceChildren();
    for (const entry of snapshot.registrations) {
      const rotate = el("button", { type: "button", text: "Rotate now", "data-registration": entry.registration });
      rotate.addEventListener("click", () => rotateNow(entry.registration));
      const drift = el("button", { type: "button", class: "secondary", text: "Check drift now" });
      drift.addEventListener("click", () => checkDrift(entry.registration));
      const card = el("article", { class: "card", "data-registration": entry.registration, "aria-labelledby": `card-${entry.registration}` },
        el("h2", { id: `card-${entry.registration}`, text: `${entry.registration} (${entry.provider})` }),
        el("p", { class: "note", text: `secret ${entry.secret_id}; a replaced version verifies for ${entry.grace_seconds} s` }),
        el("h3", { text: "Versions in force" }),
        el("div", { class: "versions" }),
        el("div", { class: "actions" }, rotate, el("span", { class: "note rotate-note" })),
        el("h3", { text: "Rotations" }),
        el("div", { class: "rotations" }),
        el("h3", { text: "Sync" }),
        el("div", { class: "sync" }),
        el("div", { class: "actions" }, drift));
      box.append(card);
    }
    secretsBuilt = true;
  }

  function verifies(v) {
    if (v.stage === "current") return "yes";
    if (v.stage === "pending") return "yes, until the rotation ends";
    return v.accepted_until ? `until ${when(v.accepted_until)} (grace)` : v.until;
  }

  function renderVersions(target, entry) {
    target.replaceChildren();
    if (entry.error) { target.append(el("p", { class: "error", text: entry.error })); return; }
    const body = el("tbody");
    for (const v of entry.versions) {
      body.append(el("tr", { "data-version": v.version_id, "data-stage": v.stage },
        el("td", {}, el("span", { class: `stage-${v.stage}`, text: v.stage })),
        el("td", { class: "mono", text: v.version_id }),
        el("td", { text: when(v.created) }),
        el("td", { text: verifies(v) })));
    }
    target.append(el("table", { class: "versions-table" },
      el("caption", { class: "visually-hidden", text: `Secret versions of ${entry.registration}` }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: "Stage" }), el("th", { scope: "col", text: "Version" }),
        el("th", { scope: "col", text: "Created" }), el("th", { scope: "col", text: "Verifies" }))),
      body));
  }

  function renderRotations(target, entry) {
    target.replaceChildren();
    if (entry.rotations.length === 0) {
      target.append(el("p", { class: "note", text: "No rotation yet." }));
      return;
    }
    const list = el("ol", { class: "timeline" });
    for (const run of entry.rotations.slice(0, 5)) {
      const steps = el("ol", { class: "steps", "aria-label": "Steps" });
      for (const step of run.steps) {
        const label = `${step.step}: ${step.status}` + (step.attempts > 1 ? ` (${step.attempts} attempts)` : "");
        const item = el("li", { class: `step-${step.status.replace(" ", "-")}`, text: label });
        if (step.error) item.title = step.error;
        steps.append(item);
        if (step.error && step.status !== "done") steps.append(el("li", { class: "step-failed", text: step.error }));
      }
      list.append(el("li", { "data-token": run.token },
        el("span", { text: `${run.kind} ${run.token.slice(0, 8)}… ${run.state}` + (run.started ? `, started ${when(run.started)}` : "") }), steps));
    }
    target.append(list);
  }

  function renderSync(target, entry) {
    target.replaceChildren();
    target.append(el("pre", { tabIndex: 0, "aria-label": `Sync plan of ${entry.registration}`, text: entry.plan || "Not synced by hookgate here." }));
    if (entry.drift) {
      const text = entry.drift.error
        ? `Drift check failed: ${entry.drift.error}`
        : (entry.drift.changes.length ? `Drift at ${when(entry.drift.at)}: ${entry.drift.changes.join("; ")}` : `No drift at ${when(entry.drift.at)}.`);
      target.append(el("p", { class: entry.drift.error || entry.drift.changes.length ? "error" : "note", text }));
    }
  }

  function renderSecrets(snapshot) {
    if (!secretsBuilt) buildCards(snapshot);
    for (const entry of snapshot.registrations) {
      const card = document.querySelector(`article.card[data-registration="${CSS.escape(entry.registration)}"]`);
      if (!card) continue;
      renderVersions(card.querySelector(".versions"), entry);
      renderRotations(card.querySelector(".rotations"), entry);
      renderSync(card.querySelector(".sync"), entry);
      const button = card.querySelector("button[data-registration]");
      button.disabled = !entry.rotatable || entry.rotating;
      const note = card.querySelector(".rotate-note");
      note.textContent = entry.rotate_blocked || (entry.rotating ? "rotating…" : (entry.rotate_error ? `last rotation failed: ${entry.rotate_error}` : ""));
      note.className = entry.rotate_error ? "error rotate-note" : "note rotate-note";
    }
  }

  async function rotateNow(name) {
    const result = await post("rotate", { registration: name });
    say(result.ok ? `Rotating ${name}: watch the pending version take over.` : `Not rotated: ${result.data.error}`);
  }

  async function checkDrift(name) {
    say(`Checking ${name} against its provider…`);
    const result = await post("drift", { registration: name });
    if (!result.ok) { say(`Drift check refused: ${result.data.error}`); return; }
    say(result.data.changes.length ? `${name}: drift found.` : `${name}: no drift.`);
    renderSecrets(await getJSON("secrets"));
  }

  // -- start ---------------------------------------------------------------------------------

  async function start() {
    const overview = await getJSON("overview");
    for (const entry of overview.registrations) {
      registrations.set(entry.name, entry);
      addOption($("filter-registration"), entry.name);
      addOption($("filter-provider"), entry.provider);
      const option = el("option", { value: entry.name, text: entry.sample ? entry.name : `${entry.name} (no sample)` });
      option.disabled = !entry.sample;
      $("send-registration").append(option);
    }
    const stream = new EventSource(API + "stream");
    stream.addEventListener("open", () => {
      $("connection").textContent = "live";
      $("connection").classList.add("live");
    });
    stream.addEventListener("error", () => {
      $("connection").textContent = "reconnecting…";
      $("connection").classList.remove("live");
    });
    stream.addEventListener("request", (event) => upsert(JSON.parse(event.data)));
    stream.addEventListener("secrets", (event) => renderSecrets(JSON.parse(event.data)));
  }

  start().catch((error) => say(`The inspector could not start: ${error}`));
})();
