package publish

import (
	"fmt"

	"github.com/claimsmapper/claimsmapper/config"
)

// VersionChange is a publish that changes the mapping's triggerVersion.
// The user pool's trigger version is set where the pool is deployed (the CDK
// construct takes it from the mapping at synth), not by the object in S3: a
// mapping published with a new triggerVersion would be served the old
// version's events until the pool is redeployed, and claims written for the
// new version (access-token claims, typed values) would silently vanish.
type VersionChange struct {
	// From and To are the triggerVersion in force and the new one; "" when
	// a mapping does not say.
	From, To string
}

// TriggerVersionChange compares the triggerVersion of the mapping in force
// with the one about to replace it, and reports a change. A mapping in force
// that does not parse (a rollback away from a broken one) says nothing, so
// it reports none.
func TriggerVersionChange(current, next []byte) (VersionChange, bool) {
	from, ok := triggerVersion(current)
	if !ok {
		return VersionChange{}, false
	}
	to, ok := triggerVersion(next)
	if !ok || from == to {
		return VersionChange{}, false
	}
	return VersionChange{From: from, To: to}, true
}

// triggerVersion reads a mapping's triggerVersion without its environment:
// only the one key matters here.
func triggerVersion(src []byte) (string, bool) {
	m, _ := config.Parse("mapping.yaml", src, config.Options{})
	if m == nil {
		return "", false
	}
	return m.TriggerVersion, true
}

// Refusal says why the change is refused and what to do, for the command
// named verb (publish, rollback).
func (c VersionChange) Refusal(verb string) string {
	with := c.To
	if with == "" {
		with = "the version this mapping is written for"
	}
	return fmt.Sprintf("this mapping changes triggerVersion from %s to %s, but the user pool's trigger version is set when the pool is deployed, not by the mapping: "+
		"the pool must be redeployed with %s first (the CDK construct takes it from the mapping), then %s again with --allow-version-change",
		show(c.From), show(c.To), with, verb)
}

// Note is what the gate prints when the change is allowed.
func (c VersionChange) Note() string {
	return fmt.Sprintf("triggerVersion changes from %s to %s (--allow-version-change): the user pool must already be deployed with it", show(c.From), show(c.To))
}

func show(v string) string {
	if v == "" {
		return "(not set)"
	}
	return v
}
