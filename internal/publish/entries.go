package publish

import (
	"context"
	"strings"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// Entry is a version as history shows it, its signature checked: the
// document history --format json prints, and what its table is drawn from.
type Entry struct {
	VersionID string    `json:"versionId"`
	Time      time.Time `json:"time"`
	InForce   bool      `json:"inForce"`
	Deleted   bool      `json:"deleted,omitempty"`
	Author    string    `json:"author,omitempty"`
	Message   string    `json:"message,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	// RecordedSHA256 is set when the recorded digest differs from the text's.
	RecordedSHA256 string `json:"recordedSha256,omitempty"`
	Claims         *int   `json:"claims,omitempty"`
	Claimsmapper   string `json:"claimsmapperVersion,omitempty"`
	// Signature is absent for an unsigned version.
	Signature *EntrySignature `json:"signature,omitempty"`
}

// EntrySignature is a version's signature as history shows it.
type EntrySignature struct {
	KeyID    string     `json:"keyId"`
	Verified bool       `json:"verified"`
	SignedAt *time.Time `json:"signedAt,omitempty"`
	Problem  string     `json:"problem,omitempty"`
	// PutBack is the older version signed after this one, when there is
	// one: this version was put back by other means.
	PutBack string `json:"signedBeforeVersion,omitempty"`
	// PutBackSignedAt is when the version PutBack names was signed.
	PutBackSignedAt time.Time `json:"-"`
	// Unchecked is a signature that could not be checked (its key could
	// not be fetched), as opposed to one that does not verify.
	Unchecked bool `json:"-"`
}

// Entries lists at most limit versions of the object, newest first, as
// history does, with each signature checked with the verifier keys returns
// for the key it names (PublicKeys) and the signed versions put back by
// other means marked (putBackVersions).
func Entries(ctx context.Context, api API, loc Location, limit int, keys func(keyID string) (*signing.Verifier, error)) ([]Entry, error) {
	vs, err := history(ctx, api, loc, limit)
	if err != nil {
		return nil, err
	}
	return entries(vs, loc, keys), nil
}

// entries checks the versions' signatures and says what history shows of
// each.
func entries(vs []Version, loc Location, keys func(keyID string) (*signing.Verifier, error)) []Entry {
	sigs := make([]Signature, len(vs))
	for i, v := range vs {
		sigs[i] = checkSignature(v, loc, keys)
	}
	putBack := putBackVersions(sigs)
	out := []Entry{}
	for i, v := range vs {
		e := Entry{VersionID: v.VersionID, Time: v.Time.UTC(), InForce: v.Latest, Deleted: v.Deleted,
			Author: v.Meta.Author, Message: v.Meta.Message, SHA256: v.SHA256, Claimsmapper: v.Meta.Version}
		if v.Meta.SHA256 != "" && v.Meta.SHA256 != v.SHA256 {
			e.RecordedSHA256 = v.Meta.SHA256
		}
		if !v.Deleted && v.Claims >= 0 {
			n := v.Claims
			e.Claims = &n
		}
		if sg := sigs[i]; sg.Signed {
			e.Signature = &EntrySignature{KeyID: sg.KeyID, Verified: sg.Verified, Problem: sg.Problem, Unchecked: strings.HasPrefix(sg.Problem, notChecked)}
			if sg.Verified {
				at := sg.SignedAt.UTC()
				e.Signature.SignedAt = &at
			}
			if j, ok := putBack[i]; ok {
				e.Signature.PutBack, e.Signature.PutBackSignedAt = vs[j].VersionID, sigs[j].SignedAt.UTC()
			}
		}
		out = append(out, e)
	}
	return out
}
