// Completion for the mapping: keys from the mapping format's JSON Schema,
// found by the indentation above the cursor, and in values (expressions)
// the names an expression can use: sources, event fields, functions.

// resolve follows $ref and merges the object alternatives of anyOf/oneOf.
function resolve(root, s) {
  if (!s) return null;
  if (s.$ref) {
    const name = s.$ref.replace(/^#\/(\$defs|definitions)\//, "");
    return resolve(root, (root.$defs || root.definitions || {})[name]);
  }
  const alts = s.anyOf || s.oneOf;
  if (alts) {
    const merged = { properties: {} };
    for (const a of alts) {
      const r = resolve(root, a);
      if (r && r.properties) Object.assign(merged.properties, r.properties);
      if (r && r.items) merged.items = r.items;
      if (r && r.additionalProperties && typeof r.additionalProperties === "object") merged.additionalProperties = r.additionalProperties;
    }
    return merged;
  }
  return s;
}

// child is the schema under key (or under a list item, key === "-").
function child(root, s, key) {
  s = resolve(root, s);
  if (!s) return null;
  if (key === "-") return resolve(root, s.items);
  if (s.properties && s.properties[key]) return resolve(root, s.properties[key]);
  if (s.additionalProperties && typeof s.additionalProperties === "object") return resolve(root, s.additionalProperties);
  return null;
}

// parents lists the keys (and "-" for list items) that hold a key written
// at column want on line n, outermost first.
function parents(doc, n, want) {
  const path = [];
  for (let i = n - 1; i >= 1 && want > 0; i--) {
    const t = doc.line(i).text;
    if (!t.trim() || t.trim().startsWith("#")) continue;
    const m = t.match(/^( *)(- +)?(?:([^\s:#'"{\[][^:#]*?|"[^"]*"|'[^']*')\s*:(?:\s|$))?/);
    const dashCol = m[1].length;
    const keyCol = dashCol + (m[2] ? m[2].length : 0);
    if (keyCol > want || (keyCol === want && !m[2])) continue;
    if (keyCol === want) {
      // A sibling key on the item's first line: we are inside that item.
      path.unshift("-");
      want = dashCol;
      continue;
    }
    if (m[3] !== undefined) {
      path.unshift(m[3].replace(/^["']|["']$/g, ""));
    }
    if (m[2]) path.unshift("-");
    if (m[3] === undefined && !m[2]) return null; // not a line that holds keys
    want = dashCol;
  }
  return path;
}

export function schemaCompletions(getSchema, getNames) {
  return (ctx) => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const keyMatch = before.match(/^(\s*)(- +)?([\w-]*)$/);
    if (keyMatch) {
      const schema = getSchema();
      if (!schema) return null;
      const path = parents(ctx.state.doc, line.number, keyMatch[1].length);
      if (!path) return null;
      if (keyMatch[2]) path.push("-");
      let s = resolve(schema, schema);
      for (const k of path) {
        s = child(schema, s, k);
        if (!s) return null;
      }
      const props = (s && s.properties) || {};
      const keys = Object.keys(props);
      if (!keys.length) return null;
      return {
        from: ctx.pos - keyMatch[3].length,
        options: keys.map((k) => ({ label: k, type: "property", info: props[k].description, apply: k + ": " })),
        validFor: /^[\w-]*$/,
      };
    }
    // In a value: complete names for expressions.
    if (!/:\s/.test(before) && !/^\s*-\s/.test(before)) return null;
    const word = before.match(/([A-Za-z_][\w]*)\.([\w:-]*)$|([A-Za-z_]\w*)$/);
    const names = getNames();
    if (word && word[1] !== undefined) {
      const base = word[1];
      let list = [];
      if (base === "event") list = names.event.map((n) => ({ label: n, type: "property" }));
      else if (names.attributes[base]) list = names.attributes[base].map((n) => ({ label: n, type: "property" }));
      else if (base === "userAttributes") list = [];
      if (!list.length) return null;
      return { from: ctx.pos - word[2].length, options: list, validFor: /^[\w:-]*$/ };
    }
    if (!word && !ctx.explicit) return null;
    const from = word ? ctx.pos - word[3].length : ctx.pos;
    const options = [
      ...names.sources.map((n) => ({ label: n, type: "variable", detail: "source" })),
      { label: "event", type: "variable", detail: "the Cognito event" },
      ...names.functions.map((n) => ({ label: n, type: "function", apply: n + "(" })),
      ...["nil", "true", "false"].map((n) => ({ label: n, type: "keyword" })),
    ];
    return { from, options, validFor: /^\w*$/ };
  };
}
