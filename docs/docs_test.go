// Package docs holds the guides for mapping authors. Its test keeps them
// honest: every mapping shown in a ```yaml block must pass claimsmapper lint
// with no error or warning (the same validation the Lambda runs at init),
// and its inline tests, if it has any, must pass. A block fenced as
// ```yaml file=PATH must also be exactly the project's file PATH, whose
// folder its tests' relative paths resolve against.
package docs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/localdata"
)

// block is one ```yaml example and the line its first YAML line is on.
type block struct {
	line int
	src  []byte
	file string // from file=PATH on the fence, or ""
	// data is set by ```yaml data: the block is a --data file, not a mapping.
	data bool
}

// yamlBlocks returns the ```yaml fenced blocks of a Markdown file. Blocks
// fenced with a bare ``` are fragments and are not checked; ```yaml data
// blocks are data files.
func yamlBlocks(src []byte) ([]block, error) {
	var (
		out []block
		cur *block
		buf bytes.Buffer
		n   int
	)
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		n++
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case cur == nil && trimmed == "```yaml":
			cur = &block{line: n + 1}
			buf.Reset()
		case cur == nil && trimmed == "```yaml data":
			cur = &block{line: n + 1, data: true}
			buf.Reset()
		case cur == nil && strings.HasPrefix(trimmed, "```yaml file="):
			cur = &block{line: n + 1, file: strings.TrimPrefix(trimmed, "```yaml file=")}
			buf.Reset()
		case cur != nil && trimmed == "```":
			cur.src = append([]byte(nil), buf.Bytes()...)
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			buf.WriteString(text)
			buf.WriteByte('\n')
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: a ```yaml block is never closed", cur.line-1)
	}
	return out, sc.Err()
}

func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Markdown files in docs/")
	}
	total := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := yamlBlocks(src)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		total += len(blocks)
		for _, b := range blocks {
			name := fmt.Sprintf("%s:%d", file, b.line)
			t.Run(name, func(t *testing.T) {
				checkBlock(t, file, b)
			})
		}
	}
	if total == 0 {
		t.Error("the docs show no ```yaml mapping examples")
	}
}

// checkBlock lints one example and runs its inline tests.
func checkBlock(t *testing.T, doc string, b block) {
	if b.data {
		if _, err := localdata.Parse(doc, b.src); err != nil {
			t.Errorf("the data file example does not load: %v", err)
		}
		return
	}
	// The examples assume ${TABLE_NAME} is set and allowed, and nothing else.
	t.Setenv("TABLE_NAME", "Users")
	t.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME")
	name := doc
	if b.file != "" {
		name = filepath.Join("..", b.file)
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("file=%s: %v", b.file, err)
		}
		if !bytes.Equal(want, b.src) {
			t.Errorf("the example differs from %s; copy the file into the docs again", b.file)
		}
	}
	for _, f := range lint.Check(name, b.src, nil) {
		if f.Severity == config.SevInfo {
			continue
		}
		// Findings are relative to the block; shift them so a failure
		// names the line in the Markdown file.
		f.File, f.Pos.Line = doc, f.Pos.Line+b.line-1
		t.Errorf("%s [%s]", f, f.Rule)
	}
	if t.Failed() {
		return
	}
	suite, _ := inlinetest.Parse(name, b.src)
	for _, c := range suite.Cases {
		if o := suite.Run(context.Background(), c); !o.Passed() {
			t.Errorf("inline test %q fails: %s %v", c.Name, o.Problem, o.Diffs)
		}
	}
}
