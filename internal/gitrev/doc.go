// Package gitrev reads a mapping as a git revision holds it, so that "what
// does my uncommitted change do" is one command: `claimsmapper diff
// git:HEAD mapping.yaml`, or `HEAD:testdata/seed/mapping.yaml` as git
// show writes it. It runs the git program: the repository, its
// configuration and its credentials stay git's own.
package gitrev
