package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/gitrev"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// Previous is the version a change is shown against: the one in force, or
// for a dry run the one named.
type Previous struct {
	// Name is how the change names it: s3://bucket/key (version V), or
	// the file or git revision it was read from.
	Name   string
	Text   []byte
	Exists bool
	// Remote says it was read from S3: its tests' files are read from the
	// current folder (Options.Remote).
	Remote bool
}

// ReviewPrevious is Review against prev, opened as this mapping was.
func (w *Workspace) ReviewPrevious(ctx context.Context, prev Previous, opts ReviewOptions) (*Review, error) {
	o := w.opts
	o.Remote = prev.Remote
	return w.Review(ctx, Open(prev.Name, prev.Text, o), opts)
}

// DryRunPrevious is the version publish --dry-run shows the change against:
// against, when named, else file as git's last commit has it. There is
// none (Exists false, no error) when file is standard input ("-") or not
// committed. read reads a reference: a file, git:REV, REV:PATH or
// s3://bucket/key, file being the mapping git:REV names.
func DryRunPrevious(ctx context.Context, file, against string, read func(ctx context.Context, ref, file string) ([]byte, error)) (Previous, error) {
	switch {
	case against != "":
		text, err := read(ctx, against, file)
		if err != nil {
			return Previous{}, publish.PlainAWS(err, "")
		}
		return Previous{Name: against, Text: text, Exists: true, Remote: strings.HasPrefix(against, "s3://")}, nil
	case file != "-":
		// The last commit is what a change is usually measured against.
		head := gitrev.Prefix + "HEAD"
		if text, err := read(ctx, head, file); err == nil {
			return Previous{Name: head, Text: text, Exists: true}, nil
		}
	}
	return Previous{}, nil
}

// Ship says where the mapping is written and how it is checked.
type Ship struct {
	// DryRun is the command that does the same without AWS, offered when
	// no region or credentials are found ("publish --dry-run"); "" offers
	// none (rollback has no dry run).
	DryRun string
	API    publish.API
	Target publish.Location
	// Signer signs the new version; nil writes it unsigned.
	Signer *signing.Signer
	// Review says what the change is compared with.
	Review ReviewOptions
}

// ShipStep is how far a shipment's plan got.
type ShipStep int

// The steps of a plan, in the order they are decided.
const (
	// ShipSame: the object already holds this text; nothing is written.
	ShipSame ShipStep = iota
	// ShipUnsigned: refused, an unsigned version would replace a signed
	// one in force (Refusal says so).
	ShipUnsigned
	// ShipReviewed: the change is reviewed against the version in force;
	// once confirmed, Write writes it, unless the review refuses it (a
	// changed triggerVersion not allowed).
	ShipReviewed
)

// ShipPlan is a shipment checked against the object as it is now, before
// anything is written: what the person confirms.
type ShipPlan struct {
	Stopped ShipStep
	// Refusal is why, with ShipUnsigned.
	Refusal error
	// Current is the version in force (Exists false for a first version),
	// and Previous names it for the change.
	Current  publish.Object
	Previous Previous
	// Review is the change against Current, with ShipReviewed when
	// Current exists; ReviewErr a comparison of tokens that could not run.
	Review    *Review
	ReviewErr error

	w    *Workspace
	ship Ship
}

// PrepareShip checks that the target keeps versions, reads the version in
// force and reviews the change against it: nothing is written. The error
// is S3 that cannot be read (in words, with the fix); a refusal is the
// plan's Stopped.
func (w *Workspace) PrepareShip(ctx context.Context, s Ship) (*ShipPlan, error) {
	if err := publish.CheckVersioning(ctx, s.API, s.Target); err != nil {
		return nil, publish.PlainAWS(err, s.DryRun)
	}
	current, err := publish.Get(ctx, s.API, s.Target)
	if err != nil {
		return nil, publish.PlainAWS(err, "")
	}
	p := &ShipPlan{Current: current, w: w, ship: s,
		Previous: Previous{Name: fmt.Sprintf("%s (version %s)", s.Target, current.VersionID), Text: current.Text, Exists: current.Exists, Remote: true}}
	if err := publish.CheckUnsignedWrite(current, s.Signer); err != nil {
		p.Stopped, p.Refusal = ShipUnsigned, err
		return p, nil
	}
	if current.Exists && mappingfile.SHA256(current.Text) == mappingfile.SHA256(w.src) {
		p.Stopped = ShipSame
		return p, nil
	}
	p.Stopped = ShipReviewed
	if current.Exists {
		p.Review, p.ReviewErr = w.ReviewPrevious(ctx, p.Previous, s.Review)
	}
	return p, nil
}

// Shipped is a version written.
type Shipped struct {
	VersionID string
	// Author is who it is recorded as; SHA256 its text's digest.
	Author string
	SHA256 string
}

// Write writes the mapping as the new version of the target, recorded with
// meta and its author: the caller's AWS identity, or author when AWS
// cannot say. The write happens only if the version in force is still the
// one the plan reviewed: otherwise the error is a *publish.RaceError.
func (p *ShipPlan) Write(ctx context.Context, meta publish.Metadata, author string) (*Shipped, error) {
	switch {
	case p.Stopped != ShipReviewed:
		return nil, errors.New("the plan was refused or has nothing to write")
	case p.Review != nil && p.Review.VersionChanged && !p.ship.Review.AllowVersionChange:
		return nil, errors.New("the plan changes the triggerVersion, which was not allowed")
	case p.ReviewErr != nil:
		return nil, fmt.Errorf("the change was not reviewed: %w", p.ReviewErr)
	}
	who, err := publish.Author(ctx, author)
	if err != nil {
		return nil, err
	}
	meta.Author = who
	id, err := publish.PutSigned(ctx, p.ship.API, p.ship.Target, p.w.src, meta, p.Current, p.ship.Signer)
	if err != nil {
		return nil, err
	}
	return &Shipped{VersionID: id, Author: who, SHA256: mappingfile.SHA256(p.w.src)}, nil
}
