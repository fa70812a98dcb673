package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/termtext"
)

const historyUsage = `Usage: claimsmapper history [--limit N] [--format text|json] s3://bucket/key

Lists the versions of a published mapping, newest first: version id, when,
who published it, the message, the sha256 and claim count, whether it is
signed and with which KMS key, and which one is in force. A signature is
checked with the public key of the key it names (kms:GetPublicKey): a
version whose text or metadata changed after signing shows BAD SIGNATURE.
Roll back to one with claimsmapper rollback --to VERSION.

Options:
  --limit N        list at most N versions (default 20)
  --format FORMAT  text (default) or json

Exit codes: 0 ok; 2 usage, or S3 cannot be read.
`

// historyEntry is a version as history --format json prints it.
type historyEntry struct {
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
	Signature *signatureEntry `json:"signature,omitempty"`
}

// signatureEntry is a version's signature as history --format json prints it.
type signatureEntry struct {
	KeyID    string     `json:"keyId"`
	Verified bool       `json:"verified"`
	SignedAt *time.Time `json:"signedAt,omitempty"`
	Problem  string     `json:"problem,omitempty"`
	// PutBack is the older version signed after this one, when there is
	// one: this version was put back by other means.
	PutBack string `json:"signedBeforeVersion,omitempty"`
}

func runHistory(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	limit := fs.Int("limit", 20, "")
	format := fs.String("format", "text", "")
	rest, code, ok := parseInterspersed(fs, args, historyUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, "claimsmapper history: name one s3://bucket/key\n\n"+historyUsage)
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "claimsmapper history: --format should be text or json, not %q\n", *format)
		return exitUsage
	}
	if *limit < 1 || *limit > 1000 {
		fmt.Fprint(stderr, "claimsmapper history: --limit should be from 1 to 1000\n")
		return exitUsage
	}
	loc, api, err := s3Target(ctx, rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper history: %v\n", err)
		return exitUsage
	}
	vs, err := publish.History(ctx, api, loc, *limit)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper history: %v\n", plainAWS(err, ""))
		return exitUsage
	}
	keys := publicKeys(ctx)
	sigs := make([]publish.Signature, len(vs))
	for i, v := range vs {
		sigs[i] = publish.CheckSignature(v, loc, keys)
	}
	putBack := publish.PutBack(sigs)
	if *format == "json" {
		out := []historyEntry{}
		for i, v := range vs {
			e := historyEntry{VersionID: v.VersionID, Time: v.Time.UTC(), InForce: v.Latest, Deleted: v.Deleted,
				Author: v.Meta.Author, Message: v.Meta.Message, SHA256: v.SHA256, Claimsmapper: v.Meta.Version}
			if v.Meta.SHA256 != "" && v.Meta.SHA256 != v.SHA256 {
				e.RecordedSHA256 = v.Meta.SHA256
			}
			if !v.Deleted && v.Claims >= 0 {
				n := v.Claims
				e.Claims = &n
			}
			if sg := sigs[i]; sg.Signed {
				e.Signature = &signatureEntry{KeyID: sg.KeyID, Verified: sg.Verified, Problem: sg.Problem}
				if sg.Verified {
					at := sg.SignedAt.UTC()
					e.Signature.SignedAt = &at
				}
				if j, ok := putBack[i]; ok {
					e.Signature.PutBack = vs[j].VersionID
				}
			}
			out = append(out, e)
		}
		var doc bytes.Buffer
		enc := json.NewEncoder(&doc)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "claimsmapper history: %v\n", err)
			return exitUsage
		}
		// Metadata is whatever the uploader wrote: no escape sequence in it
		// reaches the terminal of someone reading the JSON.
		stdout.Write(termtext.JSON(doc.Bytes()))
		return exitOK
	}
	if len(vs) == 0 {
		fmt.Fprintf(stdout, "%s has no versions: publish one with claimsmapper publish FILE %s\n", loc, loc)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tVERSION\tPUBLISHED (UTC)\tBY\tCLAIMS\tSHA256\tSIGNED\tMESSAGE")
	var problems []string
	for i, v := range vs {
		mark := ""
		if v.Latest {
			mark = "*"
		}
		when := v.Time.UTC().Format("2006-01-02 15:04:05")
		if v.Deleted {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\t\t(deleted)\n", mark, v.VersionID, when)
			continue
		}
		by := termtext.Line(v.Meta.Author)
		if by == "" {
			by = "(not published with claimsmapper)"
		}
		claims := "-"
		if v.Claims >= 0 {
			claims = fmt.Sprint(v.Claims)
		}
		sum := v.SHA256[:12]
		if v.Meta.SHA256 != "" && v.Meta.SHA256 != v.SHA256 {
			sum += " (differs from the recorded " + termtext.Line(v.Meta.SHA256[:min(12, len(v.Meta.SHA256))]) + ")"
		}
		signed := "no"
		switch sg := sigs[i]; {
		case sg.Verified:
			signed = termtext.Line(shortKey(sg.KeyID))
			if j, ok := putBack[i]; ok {
				signed += " (PUT BACK)"
				problems = append(problems, fmt.Sprintf("version %s: signed at %s, before version %s (signed at %s): an earlier signed version put back without claimsmapper; a running function refuses it, a cold start does not",
					v.VersionID, sg.SignedAt.UTC().Format(time.RFC3339), vs[j].VersionID, sigs[j].SignedAt.UTC().Format(time.RFC3339)))
			}
		case sg.Signed && strings.HasPrefix(sg.Problem, "not checked: "):
			signed = termtext.Line(shortKey(sg.KeyID)) + " (not checked)"
			problems = append(problems, fmt.Sprintf("version %s: signature %s", v.VersionID, termtext.Line(sg.Problem)))
		case sg.Signed:
			signed = "BAD SIGNATURE"
			problems = append(problems, fmt.Sprintf("version %s: %s", v.VersionID, termtext.Line(sg.Problem)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, v.VersionID, when, by, claims, sum, signed, termtext.Line(v.Meta.Message))
	}
	tw.Flush()
	fmt.Fprintln(stdout, "* in force")
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	return exitOK
}
