package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/cli"
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

func runHistory(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	limit := fs.Int("limit", 20, "")
	format := fs.String("format", "text", "")
	rest, code, ok := cli.ParseInterspersed(fs, args, historyUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, "claimsmapper history: name one s3://bucket/key\n\n"+historyUsage)
		return cli.ExitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "claimsmapper history: --format should be text or json, not %q\n", *format)
		return cli.ExitUsage
	}
	if *limit < 1 || *limit > 1000 {
		fmt.Fprint(stderr, "claimsmapper history: --limit should be from 1 to 1000\n")
		return cli.ExitUsage
	}
	loc, api, err := publish.Open(ctx, rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper history: %v\n", err)
		return cli.ExitUsage
	}
	es, err := publish.Entries(ctx, api, loc, *limit, publish.PublicKeys(ctx))
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper history: %v\n", publish.PlainAWS(err, ""))
		return cli.ExitUsage
	}
	if *format == "json" {
		var doc bytes.Buffer
		enc := json.NewEncoder(&doc)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(es); err != nil {
			fmt.Fprintf(stderr, "claimsmapper history: %v\n", err)
			return cli.ExitUsage
		}
		// Metadata is whatever the uploader wrote: no escape sequence in it
		// reaches the terminal of someone reading the JSON.
		stdout.Write(termtext.JSON(doc.Bytes()))
		return cli.ExitOK
	}
	if len(es) == 0 {
		fmt.Fprintf(stdout, "%s has no versions: publish one with claimsmapper publish FILE %s\n", loc, loc)
		return cli.ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tVERSION\tPUBLISHED (UTC)\tBY\tCLAIMS\tSHA256\tSIGNED\tMESSAGE")
	var problems []string
	for _, e := range es {
		mark := ""
		if e.InForce {
			mark = "*"
		}
		when := e.Time.Format("2006-01-02 15:04:05")
		if e.Deleted {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\t\t(deleted)\n", mark, e.VersionID, when)
			continue
		}
		by := termtext.Line(e.Author)
		if by == "" {
			by = "(not published with claimsmapper)"
		}
		claims := "-"
		if e.Claims != nil {
			claims = fmt.Sprint(*e.Claims)
		}
		sum := e.SHA256[:12]
		if e.RecordedSHA256 != "" {
			sum += " (differs from the recorded " + termtext.Line(e.RecordedSHA256[:min(12, len(e.RecordedSHA256))]) + ")"
		}
		signed := "no"
		switch sg := e.Signature; {
		case sg == nil:
		case sg.Verified:
			signed = termtext.Line(publish.ShortKey(sg.KeyID))
			if sg.PutBack != "" {
				signed += " (PUT BACK)"
				problems = append(problems, fmt.Sprintf("version %s: signed at %s, before version %s (signed at %s): an earlier signed version put back without claimsmapper; a running function refuses it, a cold start does not",
					e.VersionID, sg.SignedAt.Format(time.RFC3339), sg.PutBack, sg.PutBackSignedAt.Format(time.RFC3339)))
			}
		case sg.Unchecked:
			signed = termtext.Line(publish.ShortKey(sg.KeyID)) + " (not checked)"
			problems = append(problems, fmt.Sprintf("version %s: signature %s", e.VersionID, termtext.Line(sg.Problem)))
		default:
			signed = "BAD SIGNATURE"
			problems = append(problems, fmt.Sprintf("version %s: %s", e.VersionID, termtext.Line(sg.Problem)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, e.VersionID, when, by, claims, sum, signed, termtext.Line(e.Message))
	}
	tw.Flush()
	fmt.Fprintln(stdout, "* in force")
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	return cli.ExitOK
}
