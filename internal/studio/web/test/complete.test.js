// Completion finds the place in the mapping format from the indentation
// above the cursor; these cases pin that down without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { schemaCompletions } from "../src/complete.js";

// The mapping format's schema as claimsmapper schema prints it (a copy is
// in docs/; the Go tests keep that copy current).
const schema = JSON.parse(readFileSync(new URL("../../../../docs/mapping.schema.json", import.meta.url)));

// doc is the part of CodeMirror's Text the completion reads.
function doc(text) {
  const lines = text.split("\n");
  const starts = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += l.length + 1;
  }
  const line = (n) => ({ number: n, from: starts[n - 1], to: starts[n - 1] + lines[n - 1].length, text: lines[n - 1] });
  return {
    lines: lines.length,
    line,
    lineAt(pos) {
      let n = 1;
      while (n < lines.length && starts[n] <= pos) n++;
      return line(n);
    },
  };
}

// complete returns the labels offered where "|" is in text.
function complete(text, names = { sources: ["user"], attributes: { user: ["FirstName"] }, event: ["userName"], functions: ["upper"] }) {
  const pos = text.indexOf("|");
  const d = doc(text.replace("|", ""));
  const res = schemaCompletions(() => schema, () => names)({ state: { doc: d }, pos, explicit: false });
  return res ? res.options.map((o) => o.label) : [];
}

test("top-level keys at the start of a line", () => {
  assert.ok(complete("version: 1\nsup|").includes("suppress"));
});

test("a source's keys under sources.NAME", () => {
  const got = complete("sources:\n  user:\n    ta|");
  assert.ok(got.includes("table") && got.includes("key"), got.join(","));
});

test("a claim's keys under claims.NAME", () => {
  const got = complete("claims:\n  full:\n    wh|");
  assert.ok(got.includes("when") && got.includes("value") && !got.includes("table"), got.join(","));
});

test("a scope rule's keys on the second line of a list item", () => {
  const got = complete("scopes:\n  add:\n    - value: x\n      wh|");
  assert.deepEqual(got.sort(), ["onError", "value", "when"]);
});

test("sources, event and functions in an expression", () => {
  const got = complete("claims:\n  a: u|");
  assert.ok(got.includes("user") && got.includes("event") && got.includes("upper"), got.join(","));
});

test("the attributes of a source after its name and a dot", () => {
  assert.deepEqual(complete("claims:\n  a: user.F|"), ["FirstName"]);
});

test("the event's fields after event.", () => {
  assert.deepEqual(complete("claims:\n  a: event.u|"), ["userName"]);
});

test("nothing in a section the format does not have", () => {
  assert.deepEqual(complete("nope:\n  x:\n    y|"), []);
});
