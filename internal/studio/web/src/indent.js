// keyIndent says how far the line after a YAML key with nothing after its
// colon ("is_admin:", "  - name:") is indented: two spaces past where the
// key starts, so that what the author types next is the key's value. It
// returns null when the text before the cursor is not such a key (a value,
// a comment, text inside quotes).
export function keyIndent(before) {
  const m = /^(\s*)((?:- +)*)([^\s#'"{}\[\],&*!|>%@`-][^#]*?|"[^"]*"|'[^']*'):[ \t]*(#.*)?$/.exec(before);
  if (!m) return null;
  const key = m[3];
  // A colon inside the key is a value with a colon, not a key.
  if (/:\s/.test(key)) return null;
  return m[1] + " ".repeat(m[2].length) + "  ";
}
