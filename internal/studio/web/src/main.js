// The studio's page: the mapping in CodeMirror 6, the tokens of the chosen
// user, the explanation, the inline tests and Save. It talks only to the
// server that served it, with the token from the page's address: the page
// keeps it in memory and takes it out of the address bar (and so out of the
// browser's history) at once; a reload authenticates with the HttpOnly
// cookie the server set with the page.
import { EditorView, keymap, Decoration, WidgetType } from "@codemirror/view";
import { EditorState, StateField, StateEffect, Prec } from "@codemirror/state";
import { basicSetup } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { autocompletion } from "@codemirror/autocomplete";
import { schemaCompletions } from "./complete.js";
import { keyIndent } from "./indent.js";

const token = new URLSearchParams(location.search).get("token") || "";
if (token) history.replaceState(null, "", location.pathname);
const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  version: "", // the file's hash as last read or saved
  saved: "", // the text as last read or saved
  user: null, // {kind, id}
  groups: null, // the user's groups as typed, or null for the event's own
  shownFor: "", // which user (and groups) the tokens on the page are for
  trigger: "", // "", "1", "2", "3"
  last: null, // the last evaluation
  names: { sources: [], attributes: {}, event: [], functions: [] },
  seq: 0,
};

async function api(path, body) {
  const init = { headers: token ? { "X-Studio-Token": token } : {} };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = {};
  try {
    data = await res.json();
  } catch (e) {
    data = { error: "the studio answered something unexpected (" + res.status + ")" };
  }
  return { status: res.status, data };
}

// ---- inline messages under the lines that have errors ----

const setInline = StateEffect.define();

class MessageWidget extends WidgetType {
  constructor(items) {
    super();
    this.items = items;
  }
  eq(other) {
    return JSON.stringify(other.items) === JSON.stringify(this.items);
  }
  toDOM() {
    const box = document.createElement("div");
    box.className = "inline-messages";
    for (const f of this.items) {
      const p = document.createElement("div");
      p.className = "inline-message inline-" + f.severity;
      p.textContent = f.message + " [" + f.rule + "]";
      box.appendChild(p);
    }
    return box;
  }
  ignoreEvent() {
    return false;
  }
}

const inlineField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setInline)) deco = e.value;
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function inlineDecorations(doc, findings) {
  const byLine = new Map();
  for (const f of findings) {
    if (f.severity === "info") continue;
    const n = Math.min(Math.max(f.line || 1, 1), doc.lines);
    if (!byLine.has(n)) byLine.set(n, []);
    byLine.get(n).push(f);
  }
  const ranges = [...byLine.keys()]
    .sort((a, b) => a - b)
    .map((n) =>
      Decoration.widget({ widget: new MessageWidget(byLine.get(n)), block: true, side: 1 }).range(doc.line(n).to),
    );
  return Decoration.set(ranges);
}

// ---- the editor ----

let view;
let timer = null;

// newlineAfterKey is Enter after a key with nothing after its colon
// ("is_admin:"): the next line is indented under it, where its value goes.
// Elsewhere Enter does what it always does.
function newlineAfterKey(v) {
  const sel = v.state.selection.main;
  if (!sel.empty) return false;
  const line = v.state.doc.lineAt(sel.head);
  if (line.text.slice(sel.head - line.from).trim() !== "") return false;
  const indent = keyIndent(line.text.slice(0, sel.head - line.from));
  if (indent === null) return false;
  v.dispatch({
    changes: { from: sel.head, to: line.to, insert: "\n" + indent },
    selection: { anchor: sel.head + 1 + indent.length },
    scrollIntoView: true,
    userEvent: "input",
  });
  return true;
}

function makeEditor(text) {
  view = new EditorView({
    parent: $("editor"),
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        inlineField,
        EditorView.lineWrapping,
        autocompletion({ override: [schemaCompletions(() => state.session.schema, () => state.names)] }),
        Prec.high(keymap.of([{ key: "Enter", run: newlineAfterKey }])),
        // Ctrl+S is the page's, wherever the focus is (see start).
        keymap.of([{ key: "Mod-Enter", run: () => (runTests(), true) }]),
        EditorView.contentAttributes.of({ "aria-label": "Mapping file" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            showDirty();
            clearTimeout(timer);
            timer = setTimeout(evaluate, 200);
          }
        }),
      ],
    }),
  });
}

function text() {
  return view.state.doc.toString();
}

function offset(doc, line, col) {
  const n = Math.min(Math.max(line || 1, 1), doc.lines);
  const l = doc.line(n);
  return Math.min(l.from + Math.max((col || 1) - 1, 0), l.to);
}

function diagnostics(doc, findings) {
  return findings.map((f) => {
    let from = offset(doc, f.line, f.column);
    let to = f.endLine ? offset(doc, f.endLine, f.endColumn) : from;
    if (to <= from) {
      // Underline the word at the position, or the line's last character.
      const l = doc.lineAt(from);
      const rest = l.text.slice(from - l.from);
      const m = rest.match(/^[^\s,{}\[\]]+/);
      to = m ? from + m[0].length : l.to;
      if (to <= from && from > l.from) from = l.to - 1;
    }
    return { from, to, severity: f.severity, message: f.message, source: f.rule };
  });
}

function showFindings(findings) {
  const list = $("findings");
  list.replaceChildren();
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  $("findings-summary").textContent =
    findings.length === 0
      ? "No problems found."
      : `${plural(errors, "error")}, ${plural(warnings, "warning")}` +
        (findings.length > errors + warnings ? `, ${plural(findings.length - errors - warnings, "note")}` : "");
  $("findings-summary").className = errors ? "bad" : "good";
  for (const f of findings) {
    const li = document.createElement("li");
    li.className = "finding finding-" + f.severity;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.textContent = `line ${f.line}:${f.column}`;
    b.setAttribute("aria-label", `Go to line ${f.line}, column ${f.column}`);
    b.addEventListener("click", () => {
      const at = offset(view.state.doc, f.line, f.column);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    });
    const sev = document.createElement("span");
    sev.className = "sev";
    sev.textContent = f.severity;
    const msg = document.createElement("span");
    msg.className = "msg";
    msg.textContent = f.message + " ";
    const rule = document.createElement("code");
    rule.textContent = "[" + f.rule + "]";
    li.append(b, " ", sev, " ", msg, rule);
    list.appendChild(li);
  }
}

function plural(n, word) {
  return n + " " + word + (n === 1 ? "" : "s");
}

// ---- evaluation ----

async function evaluate() {
  if (!state.user) return;
  const seq = ++state.seq;
  const src = text();
  const forUser = userKey();
  const { status, data } = await api("/api/evaluate", { source: src, user: state.user, version: state.trigger, groups: state.groups });
  if (seq !== state.seq) return; // a newer edit is on its way
  if (status !== 200) {
    setStatus(data.error || "the studio could not evaluate the mapping", true);
    return;
  }
  state.last = data;
  // Text that is not a mapping yet (a key typed without its value) has no
  // sources: keep the last ones for completion.
  if (data.sources.length || !data.errors) {
    state.names.sources = data.sources;
    state.names.attributes = data.attributes;
  }
  const doc = view.state.doc;
  view.dispatch(setDiagnostics(view.state, diagnostics(doc, data.findings)));
  view.dispatch({ effects: setInline.of(inlineDecorations(doc, data.findings)) });
  showFindings(data.findings);
  updateTestUsers(data.tests);
  const problem = $("problem");
  if (data.problem) {
    problem.textContent = sentence(data.problem);
    problem.hidden = false;
    // The last tokens stay, greyed, only while they are this user's: never
    // one user's tokens under another's name.
    if (state.shownFor !== forUser) {
      state.shownFor = "";
      noTokens(`No tokens for ${$("current-user").textContent} until the mapping runs for them.`);
    }
    $("tokens").classList.add("stale");
    $("tokens").setAttribute("aria-describedby", "problem");
  } else {
    problem.hidden = true;
    $("tokens").classList.remove("stale");
    $("tokens").removeAttribute("aria-describedby");
    showTokens(data.tokens);
    state.shownFor = forUser;
  }
  $("tokens-summary").textContent = data.problem
    ? "The tokens are out of date: " + data.problem
    : data.tokens
        .map((t) => `${t.name}: ${plural(t.claims.filter((c) => c.change !== "unchanged").length, "claim")} from the mapping`)
        .join("; ");
  $("version-used").textContent = data.version ? `The event ran as a version ${data.version} trigger.` : "";
  showExplain(data.explain || "(nothing ran)");
  $("log").textContent = data.log || "";
  $("log-box").hidden = !data.log;
  $("evaluated").textContent = "Updated " + new Date().toLocaleTimeString();
  if (!data.errors && $("changes-box").open) showChanges(src, seq);
}

// showChanges compares the editor with the saved file over every user, as
// claimsmapper diff does.
async function showChanges(src, seq) {
  const { data } = await api("/api/changes", { source: src });
  if (seq !== state.seq) return;
  $("changes-summary").textContent =
    sentence(data.problem || data.error) || (data.changed === 0
      ? `No user's tokens change (${plural(data.users, "user")} compared with the saved file).`
      : `${plural(data.changed, "user")} of ${data.users} get different tokens than with the saved file:`);
  $("changes").textContent = data.changed ? data.text : "";
}

// showExplain colours explain's lines: rules that fired, did not, failed.
function showExplain(text) {
  const pre = $("explain");
  pre.replaceChildren();
  for (const line of text.split("\n")) {
    const span = document.createElement("span");
    if (/\bdid not fire\b|\bskipped\b|found nothing/.test(line)) span.className = "not-fired";
    else if (/\bfailed\b|\berror\b/.test(line)) span.className = "failed";
    else if (/\bfired\b|found the item|found \d+ items/.test(line)) span.className = "fired";
    span.textContent = line + "\n";
    pre.appendChild(span);
  }
}

const changeWords = {
  added: "added by the mapping",
  overridden: "changed by the mapping",
  suppressed: "removed by the mapping",
  unchanged: "set by Cognito",
};

function showTokens(tokens) {
  const box = $("tokens");
  box.replaceChildren();
  for (const t of tokens) {
    const sec = document.createElement("section");
    sec.className = "token";
    const id = "token-" + t.name.replace(/\W+/g, "-").toLowerCase();
    sec.id = id;
    const h = document.createElement("h3");
    h.textContent = t.name[0].toUpperCase() + t.name.slice(1);
    const size = document.createElement("p");
    size.className = "size" + (t.tooLarge ? " bad" : "");
    size.textContent =
      `About ${t.size.toLocaleString()} bytes when signed` +
      (t.tooLarge ? " — more than the 8,192 bytes many servers accept in one header" : ".");
    const table = document.createElement("table");
    table.innerHTML = '<thead><tr><th scope="col">Claim</th><th scope="col">Value</th><th scope="col">Where it comes from</th></tr></thead>';
    const body = document.createElement("tbody");
    // What the mapping did first: that is what the author is working on.
    const mine = t.claims.filter((c) => c.change !== "unchanged");
    const cognito = t.claims.filter((c) => c.change === "unchanged");
    if (!mine.length) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 3;
      td.className = "none";
      td.textContent = "The mapping adds, changes and removes nothing in this token for this user.";
      tr.appendChild(td);
      body.appendChild(tr);
    }
    for (const c of [...mine, ...cognito]) {
      const tr = document.createElement("tr");
      tr.className = "claim claim-" + c.change + (c.cognito && c.change === "unchanged" ? " cognito" : "");
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = c.name;
      const value = document.createElement("td");
      value.className = "value";
      value.textContent = show(c.value);
      const note = document.createElement("td");
      note.className = "note";
      let words = changeWords[c.change];
      if (c.change === "overridden") words += ` (Cognito's value was ${show(c.was)})`;
      if (c.change === "suppressed") words += ` (it would be ${show(c.value)})`;
      if (c.placeholder) words += ", example value";
      note.textContent = words;
      tr.append(name, value, note);
      body.appendChild(tr);
    }
    table.appendChild(body);
    sec.append(h, size, table);
    box.appendChild(sec);
  }
}

// noTokens empties the tokens panel, saying why.
function noTokens(why) {
  const p = document.createElement("p");
  p.className = "none";
  p.textContent = why;
  $("tokens").replaceChildren(p);
}

// userKey names the sign-in the page shows: the user and their groups.
function userKey() {
  return JSON.stringify([state.user, state.groups]);
}

function show(v) {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
}

// ---- users ----

function fillUsers(users) {
  const sel = $("user");
  sel.replaceChildren();
  const groups = { event: "Sample events", name: "Users in the data", test: "Inline tests" };
  for (const kind of ["event", "name", "test"]) {
    const list = users.filter((u) => u.kind === kind);
    const g = document.createElement("optgroup");
    g.label = groups[kind];
    g.dataset.kind = kind;
    for (const u of list) g.appendChild(option(u));
    sel.appendChild(g);
  }
  const first = users[0];
  if (first) {
    state.user = { kind: first.kind, id: first.id };
    sel.value = first.kind + ":" + first.id;
  }
}

function option(u) {
  const o = document.createElement("option");
  o.value = u.kind + ":" + u.id;
  o.textContent = u.label;
  return o;
}

function updateTestUsers(names) {
  const g = $("user").querySelector('optgroup[data-kind="test"]');
  const now = [...g.children].map((o) => o.textContent);
  if (JSON.stringify(now) === JSON.stringify(names)) return;
  g.replaceChildren(...names.map((n) => option({ kind: "test", id: n, label: n })));
  if (state.user && state.user.kind === "test") $("user").value = "test:" + state.user.id;
}

function selectUser(ref) {
  state.user = ref;
  const label = ref.kind === "name" ? ref.id : $("user").selectedOptions[0]?.textContent || ref.id;
  $("current-user").textContent = label;
  $("make-test").disabled = ref.kind === "test";
  if (state.shownFor !== userKey()) noTokens(`Working out ${label}'s tokens…`);
  evaluate();
}

// setGroups reads the groups box: names separated by commas or spaces; an
// empty box keeps the event's own groups.
function setGroups(value) {
  const list = value.split(/[,\s]+/).filter(Boolean);
  state.groups = value.trim() === "" ? null : list;
  if (state.shownFor !== userKey()) noTokens(`Working out ${$("current-user").textContent}'s tokens…`);
  evaluate();
}

// ---- tests ----

async function runTests() {
  const box = $("test-results");
  box.textContent = "Running the tests…";
  const { data } = await api("/api/tests", { source: text() });
  box.replaceChildren();
  if (data.error || data.problem) {
    box.textContent = sentence(data.error || data.problem);
    return;
  }
  const passed = data.outcomes.filter((o) => o.passed).length;
  const sum = document.createElement("p");
  sum.className = passed === data.outcomes.length ? "good" : "bad";
  sum.textContent = `${passed} passed, ${data.outcomes.length - passed} failed`;
  box.appendChild(sum);
  const ul = document.createElement("ul");
  for (const o of data.outcomes) {
    const li = document.createElement("li");
    li.className = o.passed ? "pass" : "fail";
    const head = document.createElement("strong");
    head.textContent = (o.passed ? "PASS " : "FAIL ") + o.name;
    li.appendChild(head);
    li.append(` (line ${o.line})`);
    if (o.problem) {
      const p = document.createElement("p");
      p.textContent = "The test could not run: " + o.problem;
      li.appendChild(p);
    }
    if (o.diffs.length) {
      const t = document.createElement("table");
      t.className = "diffs";
      t.innerHTML = '<thead><tr><th scope="col">What</th><th scope="col">Expected</th><th scope="col">Got</th></tr></thead>';
      const body = document.createElement("tbody");
      for (const d of o.diffs) {
        const tr = document.createElement("tr");
        for (const v of [d.what, d.expected, d.got]) {
          const td = document.createElement("td");
          td.textContent = v;
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
      t.appendChild(body);
      li.appendChild(t);
    }
    if (o.log) {
      const pre = document.createElement("pre");
      pre.textContent = "The mapping reported:\n" + o.log;
      li.appendChild(pre);
    }
    ul.appendChild(li);
  }
  box.appendChild(ul);
}

async function makeTest() {
  const name = $("test-name").value.trim();
  const { status, data } = await api("/api/newtest", {
    source: text(),
    user: state.user,
    version: state.trigger,
    name,
    groups: state.groups,
  });
  if (status !== 200) {
    setStatus(data.error, true);
    return;
  }
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: data.source } });
  const line = view.state.doc.line(Math.min(data.line, view.state.doc.lines));
  view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: "start" }) });
  $("test-name").value = "";
  setStatus(`A new test is in the editor at line ${data.line}. Save to keep it.`);
}

// ---- save ----

async function save(allowErrors) {
  const src = text();
  const { status, data } = await api("/api/save", { source: src, version: state.version, allowErrors });
  if (status === 200) {
    state.version = data.version;
    state.saved = src;
    showDirty();
    $("conflict").hidden = true;
    setStatus(data.backup ? `Saved. The previous version is in ${data.backup}.` : "Saved.");
    return;
  }
  if (status === 422) {
    $("errors-count").textContent = plural(data.errors, "error");
    $("save-anyway").showModal();
    return;
  }
  if (status === 409) {
    $("disk-text").textContent = data.disk;
    $("conflict").hidden = false;
    $("conflict").dataset.version = data.diskVersion;
    $("conflict").dataset.disk = data.disk;
    setStatus(data.error, true);
    $("conflict-title").focus();
    return;
  }
  setStatus(data.error || "the studio could not save", true);
}

function showDirty() {
  const dirty = text() !== state.saved;
  $("dirty").textContent = dirty ? "Not saved" : "Saved";
  $("dirty").className = dirty ? "dirty" : "";
  document.title = (dirty ? "• " : "") + state.session.file + " — claimsmapper studio";
}

// sentence starts the server's messages (lowercase, as Go's are) with a capital.
function sentence(msg) {
  return msg ? msg[0].toUpperCase() + msg.slice(1) : "";
}

function setStatus(msg, bad) {
  const s = $("status");
  s.textContent = sentence(msg);
  s.className = bad ? "bad" : "good";
}

// ---- start ----

async function start() {
  // Without the token in the address, the cookie set with the page is the
  // proof; when it is missing too, the server says to open the address.
  const { status, data } = await api("/api/session");
  if (status !== 200) {
    document.body.textContent = data.error || "The studio did not answer.";
    return;
  }
  state.session = data;
  state.version = data.version;
  state.saved = data.source;
  state.names.event = data.event;
  state.names.functions = data.functions;
  state.trigger = data.triggerVersion || "";
  $("file").textContent = data.file;
  $("store").textContent = "Lookups use " + data.store + ".";
  $("changes-box").addEventListener("toggle", () => {
    if ($("changes-box").open) showChanges(text(), state.seq);
  });
  document.querySelector(`input[name=trigger][value="${state.trigger}"]`).checked = true;
  makeEditor(data.source);
  showDirty();
  fillUsers(data.users);
  if (state.user) selectUser(state.user);
  else $("problem").textContent = "Type a user name to see their tokens.";

  $("user").addEventListener("change", (e) => {
    const v = e.target.value;
    const i = v.indexOf(":");
    selectUser({ kind: v.slice(0, i), id: v.slice(i + 1) });
  });
  $("name-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = $("user-name").value.trim();
    if (name) selectUser({ kind: "name", id: name });
  });
  for (const r of document.querySelectorAll("input[name=trigger]")) {
    r.addEventListener("change", () => {
      state.trigger = r.value;
      evaluate();
    });
  }
  $("groups-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setGroups($("groups").value);
  });
  $("groups").addEventListener("change", () => setGroups($("groups").value));
  // Ctrl+S (Cmd+S) saves wherever the focus is: in the editor, on a
  // button, in a box.
  document.addEventListener(
    "keydown",
    (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        save(false);
      }
    },
    true,
  );
  $("save").addEventListener("click", () => save(false));
  $("run-tests").addEventListener("click", runTests);
  $("make-test").addEventListener("click", makeTest);
  $("save-anyway").addEventListener("close", () => {
    if ($("save-anyway").returnValue === "save") save(true);
  });
  $("load-disk").addEventListener("click", () => {
    const c = $("conflict");
    state.version = c.dataset.version;
    state.saved = c.dataset.disk;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: c.dataset.disk } });
    c.hidden = true;
    setStatus("Loaded the file from disk.");
  });
  $("overwrite").addEventListener("click", () => {
    state.version = $("conflict").dataset.version;
    save(false);
  });
  window.addEventListener("beforeunload", (e) => {
    if (text() !== state.saved) e.preventDefault();
  });
}

start();
