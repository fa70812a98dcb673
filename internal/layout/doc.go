// Package layout holds no code: its tests keep the repository's shape as
// the README describes it. The folders the README's layout table lists are
// the folders there are, and each imports only those listed above it; the
// public packages (config, mapper, dynamo, localdata) stay small, export
// no variable and no YAML node, and each shows itself in a runnable
// example.
package layout
