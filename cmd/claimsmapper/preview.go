package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/cliflag"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/mapper"
)

const previewUsage = `Usage: claimsmapper preview --mapping FILE --event FILE [--data FILE] [--env NAME=VALUE]... [--version 1|2|3] [--user NAME] [--group NAME]... [--format text|json]

Shows the ID token and access token as Cognito would issue them for the event:
the claims Cognito derives from the event, with placeholder times and ids,
plus what the mapping adds (+), overrides (~) and suppresses (-).

Options:
` + cliflag.Usage + `  --format FORMAT     text (default) or json: {"idToken": {...}, "accessToken": {...}}

Exit codes: 0 ok; 1 the mapping or event is invalid, or the event failed; 2 usage.
`

func runPreview(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	format := fs.String("format", "text", "")
	in, code, ok := parseEventFlags(ctx, fs, args, previewUsage, stdin, stdout, stderr)
	if !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "claimsmapper preview: --format should be text or json, not %q\n", *format)
		return exitUsage
	}
	r, err := in.mapper.Evaluate(ctx, in.event)
	in.checkAttributes(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", in.eventPath, describeEventError(err))
		return exitFailed
	}
	p := preview.Build(in.event, r)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p.Payloads()); err != nil {
			fmt.Fprintf(stderr, "claimsmapper preview: %v\n", err)
			return exitFailed
		}
		for _, t := range p.Tokens() {
			if t.Size > preview.MaxHeaderSize {
				fmt.Fprintf(stderr, "warning: the %s would be about %d bytes, more than the %d bytes many servers accept in one HTTP header\n", t.Name, t.Size, preview.MaxHeaderSize)
			}
		}
		return exitOK
	}
	preview.WriteText(stdout, p, isTerminal(stdout))
	return exitOK
}

// isTerminal reports whether w is a terminal that wants colour.
func isTerminal(w io.Writer) bool {
	if c, ok := w.(*checkedWriter); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// eventInput is a loaded mapping and a decoded event.
type eventInput struct {
	mapper    *mapper.Mapper
	rows      func(table string) ([]mapper.Item, bool)
	event     *mapper.Event
	raw       []byte
	eventPath string
}

// parseEventFlags reads the flags cliflag.Event registers (plus any flags fs
// already has), loads the mapping with its store and decodes the event,
// rewritten to --version when it is given. It warns on stderr when the event
// is not of the version the mapping is written for.
func parseEventFlags(ctx context.Context, fs *flag.FlagSet, args []string, usage string, stdin io.Reader, stdout, stderr io.Writer) (eventInput, int, bool) {
	fs.SetOutput(io.Discard)
	var f cliflag.Event
	f.Register(fs)
	if code, ok := parseFlags(fs, args, usage, stdout, stderr); !ok {
		return eventInput{}, code, false
	}
	name := "claimsmapper " + fs.Name()
	if f.Mapping == "" || f.Event == "" {
		fmt.Fprintf(stderr, "%s: --mapping and --event are required\n\n%s", name, usage)
		return eventInput{}, exitUsage, false
	}
	if stdinReaders(f.Mapping, f.Event, f.Data) > 1 {
		fmt.Fprintf(stderr, "%s: only one of --mapping, --event and --data can read standard input\n", name)
		return eventInput{}, exitUsage, false
	}
	mp, rows, err := loadMapper(ctx, &f, stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return eventInput{}, exitFailed, false
	}
	raw, err := readInput(f.Event, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot read the event: %v\n", name, err)
		return eventInput{}, exitFailed, false
	}
	if f.Version != "" {
		if raw, err = authoring.WithVersion(raw, string(f.Version)); err != nil {
			fmt.Fprintf(stderr, "%s: --version %s: %v\n", f.Event, f.Version, err)
			return eventInput{}, exitFailed, false
		}
	}
	if raw, err = f.SignIn(raw, mp.Mapping()); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", f.Event, err)
		return eventInput{}, exitFailed, false
	}
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", f.Event, err)
		return eventInput{}, exitFailed, false
	}
	if f.User != "" && ev.ClientCredentials() {
		fmt.Fprintf(stderr, "%s: --user: this is a machine-to-machine (client credentials) event, which has no user; use a sign-in event\n", f.Event)
		return eventInput{}, exitFailed, false
	}
	if w := authoring.VersionMismatch(mp.Mapping().TriggerVersion, ev); w != "" {
		v := mp.Mapping().TriggerVersion[1:2]
		fmt.Fprintf(stderr, "warning: %s; to see %s, add --version %s (or use an event with \"version\": %q)\n", w, mp.Mapping().TriggerVersion, v, v)
	}
	return eventInput{mapper: mp, rows: rows, event: ev, raw: raw, eventPath: f.Event}, 0, true
}

// checkAttributes warns, once each, about attributes the mapping reads that
// no item it ran on has: a misspelled attribute is otherwise just a
// missing claim.
func (in eventInput) checkAttributes(stderr io.Writer) {
	for _, f := range authoring.MissingAttributes(in.mapper.Mapping().File, in.mapper.AttributeReads(), in.rows) {
		fmt.Fprintf(stderr, "warning: %s [%s]\n", f.String(), f.Rule)
	}
}
