// Package cliflag holds the flags of the commands that evaluate a mapping
// for one event (run, preview, explain, and the studio): which mapping,
// event and data, --env values for the mapping's ${NAME}, and --version to
// see an event under another trigger version. Each command registers them on
// its own flag set; how ${NAME} then resolves is decided here, once.
package cliflag
