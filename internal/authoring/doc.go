// Package authoring holds what the tools for a mapping's authors (lint,
// test, preview, explain, diff, the studio) say about a mapper beyond what
// it does: the attributes a mapping reads that the data lacks, an event's
// failure in the author's words, and sample events rewritten for another
// trigger version.
//
// These helpers were exported by package mapper for the project's own
// commands only; a library user loads and runs a mapping and needs none of
// them, so they live here, next to the tools, built on mapper's public API.
package authoring
