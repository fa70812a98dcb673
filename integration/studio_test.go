package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

var docsScreenshot = flag.Bool("update-docs-screenshot", false, "rewrite docs/studio.png from the studio browser test")

// TestStudioInBrowser drives the real page in headless Chromium against
// `claimsmapper studio --no-open` on a copy of the seed scenario, as an
// author would use it. Screenshots of each state go to integration/out/studio
// (git-ignored), named in the log.
func TestStudioInBrowser(t *testing.T) {
	testenv.Integration(t)
	browser := chromium(t)
	bin := testenv.BuildCLI(t, t.TempDir())
	dir := copySeed(t)
	url := startStudio(t, bin, dir)

	shots, err := filepath.Abs(filepath.Join("out", "studio"))
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(shots)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screenshots of the page are in %s", shots)
		}
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1400, 900),
	)
	// A bound on the whole walk, so a broken page fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	defer cancelTab()

	shot := func(t *testing.T, name string) string {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(shots, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// waitFor waits until pred, a JavaScript expression over the page's
	// DOM, is truthy, and returns its value. The page itself checks it
	// now and again after each change to the DOM (a MutationObserver), so
	// the wait ends at the change that makes it true, not at a poll. An
	// evaluation that fails (the page between two documents) is started
	// again, one whose script throws fails the test, and so does 45 s.
	waitFor := func(t *testing.T, pred string, fail func(p string)) string {
		t.Helper()
		js := `new Promise(resolve => {
			const check = () => { const v = (` + pred + `); if (v) { obs.disconnect(); resolve(String(v)); } };
			const obs = new MutationObserver(check);
			obs.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
			check();
		})`
		wait, cancel := context.WithTimeout(ctx, 45*time.Second)
		defer cancel()
		for {
			v, err := chromedp.Run(wait, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
			if err == nil {
				return v
			}
			if ee := (*chromedp.ExceptionError)(nil); errors.As(err, &ee) {
				t.Fatalf("%s: %v", pred, err)
			}
			if wait.Err() != nil {
				fail(shot(t, "failed-"+strings.ReplaceAll(t.Name(), "/", "-")))
				return ""
			}
		}
	}
	// waitText waits until the element's text holds every want.
	waitText := func(t *testing.T, sel string, want ...string) string {
		t.Helper()
		q, _ := json.Marshal(sel)
		w, _ := json.Marshal(want)
		text := `document.querySelector(` + string(q) + `)?.textContent ?? ""`
		return waitFor(t, `(t => `+string(w)+`.every(w => t.includes(w)) && t)(`+text+`)`, func(p string) {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](text))
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+string(q)+`)?.outerHTML ?? "(no such element)"`))
			t.Logf("%s is %s", sel, html)
			t.Fatalf("%s never showed %q (screenshot %s); it shows:\n%s", sel, want, p, got)
		})
	}
	// waitTrue waits until the expression is true in the page.
	waitTrue := func(t *testing.T, js string) {
		t.Helper()
		waitFor(t, js, func(p string) { t.Fatalf("%s never became true (screenshot %s)", js, p) })
	}
	// typeAtEndOfLine puts the cursor at the end of line n of the editor
	// with the keyboard and types text.
	typeAtEndOfLine := func(t *testing.T, n int, text string) {
		t.Helper()
		actions := []chromedp.Action[chromedp.Void]{chromedp.Focus(chromedp.CSS(".cm-content")),
			chromedp.KeyEvent(kb.Home, chromedp.KeyModifiers(chromedp.ModifierCtrl))}
		for i := 1; i < n; i++ {
			actions = append(actions, chromedp.KeyEvent(kb.ArrowDown))
		}
		actions = append(actions, chromedp.KeyEvent(kb.End), chromedp.KeyEvent(kb.Enter, keyOnly), chromedp.SendKeys(chromedp.CSS(".cm-content"), text))
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatal(err)
		}
	}
	idToken := "#token-id-token"

	t.Run("the page shows Ben Pyle's ID token without a click", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatal(err)
		}
		waitText(t, idToken, "firstName", `"Ben"`, "lastName", `"Pyle"`, "added by the mapping")
		p := shot(t, "01-loaded")
		if *docsScreenshot {
			b, _ := os.ReadFile(p)
			if err := os.WriteFile("../docs/studio.png", b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("the token leaves the address bar and a reload still works", func(t *testing.T) {
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(href, "token") {
			t.Errorf("the address bar still holds the token: %s", href)
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		waitText(t, idToken, "firstName", `"Ben"`, "lastName", `"Pyle"`)
	})

	t.Run("a claim typed into the editor appears in the token", func(t *testing.T) {
		typeAtEndOfLine(t, 9, "team: '\"platform\"'")
		waitText(t, idToken, "team", `"platform"`)
		shot(t, "02-new-claim")
	})

	t.Run("a protected claim shows lint's message in place and greys the tokens", func(t *testing.T) {
		typeAtEndOfLine(t, 10, "sub: event.userName")
		waitText(t, ".inline-messages", `claim "sub" cannot be added or overridden`, "[protected-claim]")
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".cm-lintRange-error"))); err != nil {
			t.Fatal(err)
		}
		stale, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("tokens").classList.contains("stale")`))
		if err != nil {
			t.Fatal(err)
		}
		if !stale {
			t.Error("the last good tokens are not greyed while the mapping has an error")
		}
		shot(t, "03-protected-claim")
		// Remove the line again with CodeMirror's delete-line key.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("K", chromedp.KeyModifiers(chromedp.ModifierCtrl|chromedp.ModifierShift))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#findings-summary", "No problems found")
		waitText(t, idToken, "team")
	})

	t.Run("choosing another user changes the tokens", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#user"), "name:jdoe")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("user").dispatchEvent(new Event("change"))`)); err != nil {
			t.Fatal(err)
		}
		waitText(t, idToken, `"Jane"`, `"Doe"`)
		shot(t, "04-other-user")
	})

	t.Run("Save writes the file and keeps a backup", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#save"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#status", "Saved")
		shot(t, "05-saved")
		saved, err := os.ReadFile(filepath.Join(dir, "mapping.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(saved), "team:") || strings.Contains(string(saved), "sub:") {
			t.Errorf("the saved mapping is not what the editor holds:\n%s", saved)
		}
		// The backup is where git does not see it: a folder with a
		// .gitignore of its own.
		backup, err := os.ReadFile(filepath.Join(dir, ".claimsmapper-backup", "mapping.yaml.bak"))
		if err != nil || strings.Contains(string(backup), "team:") {
			t.Errorf("the backup should hold the text before the save: %v\n%s", err, backup)
		}
		if ignore, err := os.ReadFile(filepath.Join(dir, ".claimsmapper-backup", ".gitignore")); err != nil || !strings.Contains(string(ignore), "\n*\n") {
			t.Errorf("the backup folder's .gitignore: %v %q", err, ignore)
		}
		if _, err := os.Stat(filepath.Join(dir, "mapping.yaml.bak")); err == nil {
			t.Error("a backup beside the mapping, where git sees it")
		}
	})

	t.Run("the chosen user's groups can be set", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#groups"), "admins, staff"+kb.Enter)); err != nil {
			t.Fatal(err)
		}
		waitText(t, idToken, "cognito:groups", `["admins","staff"]`, `"Jane"`)
		shot(t, "05b-groups")
		// An empty box is the event's own groups again: none.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(g => (g.value = "", g.dispatchEvent(new Event("change"))))(document.getElementById("groups"))`)); err != nil {
			t.Fatal(err)
		}
		waitTrue(t, `(t => t.includes('"Jane"') && !t.includes("admins"))(document.querySelector("#token-id-token")?.textContent ?? "")`)
	})

	t.Run("completion offers the format's keys and the names an expression can use", func(t *testing.T) {
		// Line 11 is the blank line before the tests' comment.
		moveTo := []chromedp.Action[chromedp.Void]{chromedp.Focus(chromedp.CSS(".cm-content")),
			chromedp.KeyEvent(kb.Home, chromedp.KeyModifiers(chromedp.ModifierCtrl))}
		for i := 1; i < 11; i++ {
			moveTo = append(moveTo, chromedp.KeyEvent(kb.ArrowDown))
		}
		if err := chromedp.Do(ctx, append(moveTo, chromedp.SendKeys(chromedp.CSS(".cm-content"), "sup"))...); err != nil {
			t.Fatal(err)
		}
		waitText(t, ".cm-tooltip-autocomplete", "suppress")
		shot(t, "07-complete-key")
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace)); err != nil {
			t.Fatal(err)
		}
		typeAtEndOfLine(t, 9, "title: us")
		waitText(t, ".cm-tooltip-autocomplete", "user", "source")
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(".cm-content"), "er.")); err != nil {
			t.Fatal(err)
		}
		// The attributes the data's items have.
		waitText(t, ".cm-tooltip-autocomplete", "FirstName", "LastName")
		shot(t, "08-complete-name")
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape), chromedp.KeyEvent("K", chromedp.KeyModifiers(chromedp.ModifierCtrl|chromedp.ModifierShift))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#findings-summary", "No problems found")
	})

	t.Run("the inline tests run from the page, and the tokens become a new test", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#run-tests"))); err != nil {
			t.Fatal(err)
		}
		// The claim typed earlier is in every token now, which the tests
		// do not expect: each failure shows what it expected and what it got.
		waitText(t, "#test-results", "0 passed, 2 failed", "FAIL ben gets his first and last name", "idToken.team", "(not in the token)", `"platform"`)
		// The chosen user is jdoe, from the data.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#make-test"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#status", "A new test is in the editor")
		waitText(t, ".cm-content", "what jdoe gets", "firstName: Jane")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#run-tests"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#test-results", "1 passed, 2 failed", "PASS what jdoe gets")
		shot(t, "09-tests")
	})

	t.Run("saving a mapping with errors asks first", func(t *testing.T) {
		typeAtEndOfLine(t, 9, "bad: nope")
		waitText(t, "#findings-summary", "1 error")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#save"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#save-anyway", "Save a mapping with 1 error?")
		shot(t, "10-save-with-errors")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#save-anyway button[value="cancel"]`))); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "mapping.yaml")); strings.Contains(string(b), "bad:") {
			t.Error("Keep editing saved the file")
		}
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(".cm-content")),
			chromedp.KeyEvent("K", chromedp.KeyModifiers(chromedp.ModifierCtrl|chromedp.ModifierShift))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#findings-summary", "No problems found")
	})

	t.Run("a file changed on disk meanwhile is not overwritten without asking", func(t *testing.T) {
		file := filepath.Join(dir, "mapping.yaml")
		disk, _ := os.ReadFile(file)
		if err := os.WriteFile(file, append(disk, "# changed by someone else\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#save"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#conflict", "The file changed on disk", "# changed by someone else")
		shot(t, "11-conflict")
		if b, _ := os.ReadFile(file); !strings.Contains(string(b), "# changed by someone else") {
			t.Fatal("the other change was overwritten")
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#overwrite"))); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#status", "Saved")
		if b, _ := os.ReadFile(file); strings.Contains(string(b), "# changed by someone else") || !strings.Contains(string(b), "what jdoe gets") {
			t.Errorf("after Overwrite the file should hold the editor's text:\n%s", b)
		}
	})

	t.Run("Enter after a key indents the next line under it", func(t *testing.T) {
		typeAtEndOfLine(t, 9, "is_admin:")
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter, keyOnly), chromedp.SendKeys(chromedp.CSS(".cm-content"), "const: true")); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#findings-summary", "No problems found")
		waitText(t, idToken, "is_admin", "true")
		line, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".cm-line")].map(l => l.textContent).find(t => t.includes("const: true")) ?? ""`))
		if err != nil || line != "    const: true" {
			t.Errorf("the line after is_admin: is %q (%v), want it indented by four", line, err)
		}
		shot(t, "12-auto-indent")
	})

	t.Run("an empty key's finding points at the lines below it that need indenting", func(t *testing.T) {
		// Ctrl+[ takes the const: line back to is_admin's indentation, as
		// an editor that does not indent leaves it.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("[", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
			t.Fatal(err)
		}
		waitText(t, ".inline-messages", `claim "is_admin" is empty`, "indent `const:`", "[indentation]")
		// The message is written under the const: line, the one to fix.
		under, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".inline-messages").closest(".cm-widgetBuffer, .cm-line, div").previousElementSibling?.textContent ?? ""`))
		if err != nil || !strings.Contains(under, "const: true") {
			t.Errorf("the message is under %q (%v), want the const: line", under, err)
		}
		shot(t, "13-settings-below")
	})

	t.Run("switching user while the mapping does not load shows no one else's tokens", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#user"), "event:0")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("user").dispatchEvent(new Event("change"))`)); err != nil {
			t.Fatal(err)
		}
		waitText(t, "#current-user", "benbpyle")
		got := waitText(t, "#tokens", "No tokens for benbpyle")
		if strings.Contains(got, "Jane") {
			t.Errorf("jdoe's tokens are shown under benbpyle's name:\n%s", got)
		}
		shot(t, "14-no-tokens")
		// Indented again, the mapping loads and Ben's tokens show.
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(".cm-content")), chromedp.KeyEvent("]", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
			t.Fatal(err)
		}
		waitText(t, idToken, `"Ben"`, "is_admin")
	})

	t.Run("the Changes panel counts each user once", func(t *testing.T) {
		// benbpyle is the sample event's user and in the data: 2 users.
		waitText(t, "#changes-summary", "2 users of 2 get different tokens")
		got := waitText(t, "#changes", "is_admin")
		if n := strings.Count(got, "benbpyle\n"); n != 1 {
			t.Errorf("benbpyle is listed %d times:\n%s", n, got)
		}
	})

	t.Run("Ctrl+S saves wherever the focus is", func(t *testing.T) {
		waitText(t, "#dirty", "Not saved")
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#run-tests")), chromedp.KeyEvent("s", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
			t.Fatal(err)
		}
		waitTrue(t, `document.getElementById("dirty").textContent === "Saved"`)
		if b, _ := os.ReadFile(filepath.Join(dir, "mapping.yaml")); !strings.Contains(string(b), "    const: true") {
			t.Errorf("Ctrl+S on a button did not save:\n%s", b)
		}
		// Back to jdoe for what follows.
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#user"), "name:jdoe")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("user").dispatchEvent(new Event("change"))`)); err != nil {
			t.Fatal(err)
		}
		waitText(t, idToken, `"Jane"`)
	})

	t.Run("keyboard only: Tab leaves the editor for the next control", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(".cm-content")), chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		inEditor, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.closest(".cm-editor") !== null`))
		if err != nil {
			t.Fatal(err)
		}
		if inEditor {
			t.Error("Tab stays in the editor: a keyboard user could not leave it")
		}
	})

	t.Run("at 200% zoom the page reflows without scrolling sideways", func(t *testing.T) {
		// 200% zoom of a 1400x900 window: half as many CSS pixels, each drawn twice.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(700, 450, chromedp.EmulateScale(2))); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Do(ctx, chromedp.EmulateReset())
		waitText(t, idToken, `"Jane"`)
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		shot(t, "06-zoom-200")
		if wide {
			t.Error("at 200% zoom the page is wider than the window")
		}
	})

	t.Run("requests without the token or from another site are refused", func(t *testing.T) {
		base, tok, _ := strings.Cut(url, "/?token=")
		tests := []struct {
			name   string
			path   string
			header map[string]string
		}{
			{"no token", "/api/session", nil},
			{"a wrong token", "/api/session", map[string]string{"X-Studio-Token": "x" + tok[1:]}},
			{"the page without its token", "/", nil},
			{"another site's page", "/api/session", map[string]string{"X-Studio-Token": tok, "Origin": "http://attacker.example"}},
			{"another host name (DNS rebinding)", "/api/session", map[string]string{"X-Studio-Token": tok, "Host": "attacker.example"}},
		}
		for _, tt := range tests {
			req, _ := http.NewRequest(http.MethodGet, base+tt.path, nil)
			for k, v := range tt.header {
				if k == "Host" {
					req.Host = v
				} else {
					req.Header.Set(k, v)
				}
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", tt.name, res.StatusCode)
			}
		}
	})
}

// keyOnly sends a key without the character it types, as a keyboard's
// Enter reaches the page; with the character too, the editor would get
// both the Enter key and a second, raw line break.
func keyOnly(p *input.DispatchKeyEventParams) {
	p.Text, p.UnmodifiedText = "", ""
}

// TestStudioWithDynamoDB runs the studio without --data: its lookups go
// to DynamoDB (dynalite) through the real SDK, as preview's do.
func TestStudioWithDynamoDB(t *testing.T) {
	testenv.Integration(t)
	bin := testenv.BuildCLI(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	loadData(t, db, "../testdata/seed/users.yaml")
	var env []string
	for k, v := range testenv.AWSEnv(db.Endpoint) {
		env = append(env, k+"="+v)
	}
	url := startStudio(t, bin, copySeed(t), env...)
	base, token, _ := strings.Cut(url, "/?token=")
	body := `{"source": ` + string(must(json.Marshal(string(readFile(t, "../testdata/seed/mapping.yaml"))))) + `, "user": {"kind": "name", "id": "jdoe"}}`
	req, _ := http.NewRequest(http.MethodPost, base+"/api/evaluate", strings.NewReader(body))
	req.Header.Set("X-Studio-Token", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Problem string
		Tokens  []struct {
			Name   string
			Claims []struct {
				Name   string
				Value  any
				Change string
			}
		}
		Explain string
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Problem != "" || len(out.Tokens) == 0 {
		t.Fatalf("no tokens: %+v", out)
	}
	got := map[string]any{}
	for _, c := range out.Tokens[0].Claims {
		if c.Change == "added" {
			got[c.Name] = c.Value
		}
	}
	if got["firstName"] != "Jane" || got["lastName"] != "Doe" {
		t.Errorf("jdoe's claims from DynamoDB: %v\n%s", got, out.Explain)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// chromium finds the browser; without one the test skips, except in CI,
// where .ci/run installs it and its absence is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed: skipping the browser test; to run it, install Chromium (apt-get install chromium) and run make test again")
	return ""
}

// copySeed copies the seed scenario to a temporary folder the studio may write.
func copySeed(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"mapping.yaml", "users.yaml", "event.json"} {
		b := readFile(t, filepath.Join("..", "testdata", "seed", f))
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startStudio runs `claimsmapper studio --no-open` and returns the address
// it prints first; the process is stopped when the test ends.
func startStudio(t *testing.T, bin, dir string, env ...string) string {
	t.Helper()
	args := []string{"studio", "--no-open", "--events", filepath.Join(dir, "event.json"), filepath.Join(dir, "mapping.yaml")}
	if len(env) == 0 {
		// Local data unless the test gives the environment of a DynamoDB.
		args = append([]string{args[0], "--data", filepath.Join(dir, "users.yaml")}, args[1:]...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "TABLE_NAME=SampleUsers", "CLAIMS_MAPPING_ENV=TABLE_NAME"), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		for s.Scan() {
		}
	}()
	select {
	case url, ok := <-line:
		if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(url, "/?token=") {
			t.Fatalf("the first line of standard output should be the page's address, got %q; stderr:\n%s", url, stderr.String())
		}
		return url
	case <-time.After(30 * time.Second):
		t.Fatal(errors.New("claimsmapper studio printed no address within 30 s"))
	}
	return ""
}
