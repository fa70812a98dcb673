import { test } from "node:test";
import assert from "node:assert/strict";
import { keyIndent } from "../src/indent.js";

test("a key with nothing after its colon indents the next line by two", () => {
  assert.equal(keyIndent("  is_admin:"), "    ");
  assert.equal(keyIndent("claims:"), "  ");
  assert.equal(keyIndent("  is_admin:   "), "    ");
  assert.equal(keyIndent("  is_admin:  # admins only"), "    ");
  assert.equal(keyIndent("  - name:"), "      ");
  assert.equal(keyIndent('  "cognito:x":'), "    ");
});

test("a key with a value, a comment or a list item does not", () => {
  assert.equal(keyIndent("  firstName: user.FirstName"), null);
  assert.equal(keyIndent("  # claims:"), null);
  assert.equal(keyIndent("  - admins"), null);
  assert.equal(keyIndent("  note: 'a: b'"), null);
  assert.equal(keyIndent(""), null);
  assert.equal(keyIndent("  value: a ? b :"), null);
});
