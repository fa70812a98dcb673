package publish

import (
	"fmt"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// Signature is what a version's signature says, once checked.
type Signature struct {
	// Signed is false when the version carries no signature.
	Signed bool
	// KeyID is the KMS key the signature names; SignedAt when it says it
	// was signed. Both are facts only when Verified.
	KeyID    string
	SignedAt time.Time
	Verified bool
	// Problem says why it does not verify, or could not be checked.
	Problem string
}

// Signed reports whether the version carries a signature, and the key it
// names.
func (v Version) Signed() (keyID string, ok bool) {
	if v.Raw[signing.MetaSignature] == "" {
		return "", false
	}
	return v.Raw[signing.MetaSignKey], true
}

// notChecked begins the Problem of a signature whose key could not be
// fetched.
const notChecked = "not checked: "

// checkSignature verifies the version's signature, for loc's object, with
// the verifier of the key it names (keys returns it; an error there is
// reported as the Problem).
func checkSignature(v Version, loc Location, keys func(keyID string) (*signing.Verifier, error)) Signature {
	keyID, ok := v.Signed()
	if !ok || v.Deleted {
		return Signature{}
	}
	s := Signature{Signed: true, KeyID: keyID}
	verifier, err := keys(keyID)
	if err != nil {
		s.Problem = notChecked + err.Error()
		return s
	}
	got, err := verifier.VerifySHA256(signing.ObjectName(loc.Bucket, loc.Key), v.SHA256, v.Raw)
	if err != nil {
		s.Problem = err.Error()
		return s
	}
	s.SignedAt, s.Verified = got.SignedAt, true
	return s
}

// CheckUnsignedWrite refuses to write an unsigned version over a signed one
// in force: functions that verify signatures would refuse it (a cold start
// would fail), so a forgotten --sign-key must not reach them.
func CheckUnsignedWrite(current Object, signer *signing.Signer) error {
	if signer != nil || !current.Exists || current.Metadata[signing.MetaSignature] == "" {
		return nil
	}
	return fmt.Errorf("the version in force (%s) is signed with KMS key %s, and functions that verify signatures refuse an unsigned one (a cold start would fail): sign this one too with --sign-key %s",
		current.VersionID, current.Metadata[signing.MetaSignKey], current.Metadata[signing.MetaSignKey])
}

// CheckRollbackTarget refuses, when signing is on (signer set), to go back
// to a version that is not signed with the signer's key: a rollback would
// otherwise sign, with today's key, a text nobody with the key vouched for.
func CheckRollbackTarget(loc Location, target Object, signer *signing.Signer) error {
	if signer == nil {
		return nil
	}
	_, err := signer.Verifier.Verify(signing.ObjectName(loc.Bucket, loc.Key), target.Text, target.Metadata)
	if err != nil {
		return fmt.Errorf("version %s is not a version signed with KMS key %s: %w; with --sign-key, rollback goes back only to versions signed with that key (to ship that text anyway, review it and publish it as a new version)", target.VersionID, signer.KeyID, err)
	}
	return nil
}

// putBackVersions says, for history's signatures (newest first), which versions
// were signed before an older version was: an earlier signed version put
// back by someone who wrote the bucket without the key. A running function
// refuses such a version; a cold start cannot tell it from a new one. The
// result maps the version's index to the older version's.
func putBackVersions(sigs []Signature) map[int]int {
	out := map[int]int{}
	for i, s := range sigs {
		if !s.Verified {
			continue
		}
		for j := i + 1; j < len(sigs); j++ {
			if sigs[j].Verified {
				if s.SignedAt.Before(sigs[j].SignedAt) {
					out[i] = j
				}
				break
			}
		}
	}
	return out
}
