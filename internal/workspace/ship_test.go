package workspace

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// shipTarget starts a versioned S3 server with one bucket (versioned as
// asked) and points the AWS configuration at it, with no STS to ask who
// publishes: a shipment's author is the one given.
func shipTarget(t *testing.T, versioned bool) (*testenv.VersionedS3, publish.Location) {
	t.Helper()
	s := testenv.StartVersionedS3(t)
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", "")
	os.Unsetenv("AWS_ENDPOINT_URL_STS")
	t.Setenv("AWS_ENDPOINT_URL", "")
	os.Unsetenv("AWS_ENDPOINT_URL")
	s.CreateBucket(t, "mappings", versioned)
	loc, err := publish.ParseTarget("s3://mappings/prod/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s, loc
}

const (
	shipV1 = "version: 1\nclaims:\n  a: '\"one\"'\n"
	shipV2 = "version: 1\nclaims:\n  a: '\"two\"'\n"
)

func TestShipWritesAReviewedVersionOnce(t *testing.T) {
	s, loc := shipTarget(t, true)
	ctx := context.Background()
	ship := Ship{DryRun: "publish --dry-run", API: s.Client, Target: loc}

	first := Open("m.yaml", []byte(shipV1), Options{})
	p, err := first.PrepareShip(ctx, ship)
	if err != nil || p.Stopped != ShipReviewed || p.Previous.Exists || p.Review != nil {
		t.Fatalf("a first version should be ready to write, with nothing to compare: %+v, %v", p, err)
	}
	if _, err := p.Write(ctx, publish.Metadata{Message: "first"}, ""); err == nil || !strings.Contains(err.Error(), "pass --author NAME") {
		t.Errorf("with no STS and no --author, who publishes cannot be told: %v", err)
	}
	done, err := p.Write(ctx, publish.Metadata{Message: "first"}, "ana")
	if err != nil || done.Author != "ana" || done.VersionID == "" || len(done.SHA256) != 64 {
		t.Fatalf("the first version should be written, by ana: %+v, %v", done, err)
	}

	p, err = first.PrepareShip(ctx, ship)
	if err != nil || p.Stopped != ShipSame || p.Current.VersionID != done.VersionID {
		t.Errorf("the same text again should have nothing to write: %+v, %v", p, err)
	}
	if _, err := p.Write(ctx, publish.Metadata{}, "ana"); err == nil {
		t.Error("a plan with nothing to write should write nothing")
	}

	second := Open("m.yaml", []byte(shipV2), Options{})
	p, err = second.PrepareShip(ctx, ship)
	if err != nil || p.Stopped != ShipReviewed || !p.Previous.Exists || string(p.Previous.Text) != shipV1 || p.Review == nil || p.ReviewErr != nil {
		t.Fatalf("a change should be reviewed against the version in force: %+v, %v", p, err)
	}
	if !strings.Contains(p.Previous.Name, "(version "+done.VersionID+")") {
		t.Errorf("the previous version should be named with its id: %q", p.Previous.Name)
	}
	other := s.Put(t, "mappings", "prod/mapping.yaml", shipV2+"# someone else\n")
	_, err = p.Write(ctx, publish.Metadata{}, "ben")
	var race *publish.RaceError
	if !errors.As(err, &race) || !strings.Contains(err.Error(), other) {
		t.Errorf("a version written since the review should stop the write: %v", err)
	}
}

func TestShipRefusesWhatCannotBeUndoneOrWasNotAllowed(t *testing.T) {
	s, loc := shipTarget(t, true)
	ctx := context.Background()
	ship := Ship{API: s.Client, Target: loc}

	t.Run("a bucket without versions cannot be shipped to", func(t *testing.T) {
		s.CreateBucket(t, "plain", false)
		unversioned := ship
		unversioned.Target.Bucket = "plain"
		_, err := Open("m.yaml", []byte(shipV1), Options{}).PrepareShip(ctx, unversioned)
		if err == nil || !strings.Contains(err.Error(), "does not keep versions") {
			t.Errorf("a bucket without versions should be refused, nothing to roll back to: %v", err)
		}
	})

	t.Run("a changed triggerVersion is written only when allowed", func(t *testing.T) {
		s.Put(t, "mappings", "prod/mapping.yaml", "version: 1\ntriggerVersion: V1_0\nclaims: {}\n")
		next := Open("m.yaml", []byte("version: 1\ntriggerVersion: V2_0\nclaims: {}\n"), Options{})
		p, err := next.PrepareShip(ctx, ship)
		if err != nil || p.Review == nil || !p.Review.VersionChanged {
			t.Fatalf("the triggerVersion change should be in the review: %+v, %v", p, err)
		}
		if _, err := p.Write(ctx, publish.Metadata{}, "ana"); err == nil || !strings.Contains(err.Error(), "triggerVersion") {
			t.Errorf("a changed triggerVersion should not be written unless allowed: %v", err)
		}
		allowed := ship
		allowed.Review.AllowVersionChange = true
		p, err = next.PrepareShip(ctx, allowed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Write(ctx, publish.Metadata{}, "ana"); err != nil {
			t.Errorf("an allowed triggerVersion change should be written: %v", err)
		}
	})

	t.Run("a comparison that cannot run stops the write", func(t *testing.T) {
		s.Put(t, "mappings", "prod/mapping.yaml", shipV1)
		withUsers := ship
		withUsers.Review.Compare = &Comparison{Users: Users{UsersFile: "no such file"}}
		p, err := Open("m.yaml", []byte(shipV2), Options{}).PrepareShip(ctx, withUsers)
		if err != nil || p.ReviewErr == nil {
			t.Fatalf("the comparison's failure should be in the plan: %+v, %v", p, err)
		}
		if _, err := p.Write(ctx, publish.Metadata{}, "ana"); err == nil {
			t.Error("a change that was not reviewed should not be written")
		}
	})

	t.Run("an unsigned version does not replace a signed one", func(t *testing.T) {
		_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mappings"), Key: aws.String("prod/mapping.yaml"),
			Body: strings.NewReader(shipV1), Metadata: map[string]string{signing.MetaSignature: "v1:x", signing.MetaSignKey: "arn:aws:kms:eu-west-1:1:key/k"}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Open("m.yaml", []byte(shipV2), Options{}).PrepareShip(ctx, ship)
		if err != nil || p.Stopped != ShipUnsigned || p.Refusal == nil || !strings.Contains(p.Refusal.Error(), "--sign-key") {
			t.Fatalf("an unsigned write over a signed version should be refused: %+v, %v", p, err)
		}
		if _, err := p.Write(ctx, publish.Metadata{}, "ana"); err == nil {
			t.Error("a refused plan should write nothing")
		}
	})
}

func TestDryRunPreviousPicksWhatToCompareWith(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	read := func(_ context.Context, ref, file string) ([]byte, error) {
		switch ref {
		case "old.yaml":
			return []byte(shipV1), nil
		case "git:HEAD":
			if file == "committed.yaml" {
				return []byte(shipV2), nil
			}
		}
		return nil, errors.New("cannot read " + ref)
	}
	for _, tt := range []struct {
		name, file, against string
		want                Previous
		err                 string
	}{
		{name: "the version named", file: "m.yaml", against: "old.yaml", want: Previous{Name: "old.yaml", Text: []byte(shipV1), Exists: true}},
		{name: "a version named that cannot be read is an error", file: "m.yaml", against: "nosuch.yaml", err: "cannot read nosuch.yaml"},
		{name: "by default the last commit", file: "committed.yaml", want: Previous{Name: "git:HEAD", Text: []byte(shipV2), Exists: true}},
		{name: "none for a file git does not hold", file: "new.yaml"},
		{name: "none for standard input", file: "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DryRunPrevious(ctx, tt.file, tt.against, read)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got.Name != tt.want.Name || string(got.Text) != string(tt.want.Text) || got.Exists != tt.want.Exists {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
