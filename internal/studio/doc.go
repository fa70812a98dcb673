// Package studio is the web editor that `claimsmapper studio` serves on
// loopback: the mapping in a code editor, the tokens of a chosen user and
// the explanation of every rule, updated as the author types.
//
// The server is an HTTP API over the same building blocks the command line
// uses (inlinetest for lint findings and inline tests, preview for the
// tokens and the explanation, mapper for evaluation) plus the page's assets,
// embedded with go:embed so that nothing is fetched from the network. The
// page's script is CodeMirror 6 bundled by esbuild from web/ into
// assets/app.js; the bundle is committed, and `make studio` rebuilds it.
//
// The server is safe by default: every API call must carry the per-run
// token that is part of the page's URL, the Host and Origin headers must
// name the server itself (no DNS rebinding, no cross-site requests), the
// only file written is the mapping (with a backup beside it), and files an
// inline test names are read only from the mapping's folder. Listen,
// Serve and OpenBrowser are the server's life, for the command to call.
package studio
