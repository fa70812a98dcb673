package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/localdata"
)

// seed copies the seed scenario into a folder the test may write and
// returns a server on it, with the folder.
func seed(t testing.TB) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"mapping.yaml", "users.yaml", "event.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := localdata.Load(filepath.Join(dir, "users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Mapping: filepath.Join(dir, "mapping.yaml"), Store: data, Data: data,
		DataPath: filepath.Join(dir, "users.yaml"), Events: []EventFile{{Path: filepath.Join(dir, "event.json"), Raw: ev}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Allow(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000})
	return s, dir
}

const host = "127.0.0.1:4000"

// call sends a request as the page does: its token, its own origin.
func call(t *testing.T, s *Server, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, "http://"+host+path, rd)
	req.Header.Set("X-Studio-Token", s.Token())
	req.Header.Set("Origin", "http://"+host)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

func source(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "mapping.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRequestsAreRefusedWithoutTokenOrFromElsewhere(t *testing.T) {
	t.Parallel()
	s, _ := seed(t)
	tests := []struct {
		name   string
		path   string
		header map[string]string
		host   string
		want   int
	}{
		{"the page with its token is served", "/?token=" + s.Token(), nil, host, 200},
		{"the API with the token in a header answers", "/api/session", map[string]string{"X-Studio-Token": s.Token()}, host, 200},
		{"localhost is the same server", "/api/session", map[string]string{"X-Studio-Token": s.Token()}, "localhost:4000", 200},
		{"the page's script needs no token", "/assets/app.js", nil, host, 200},
		{"no token is refused", "/api/session", nil, host, 403},
		{"the page without its token is refused", "/", nil, host, 403},
		{"a wrong token is refused", "/api/session", map[string]string{"X-Studio-Token": "x" + s.Token()[1:]}, host, 403},
		{"another site's page is refused", "/api/session", map[string]string{"X-Studio-Token": s.Token(), "Origin": "http://attacker.example"}, host, 403},
		{"an https origin on the same port is refused", "/api/session", map[string]string{"X-Studio-Token": s.Token(), "Origin": "https://" + host}, host, 403},
		{"a null origin is refused", "/api/session", map[string]string{"X-Studio-Token": s.Token(), "Origin": "null"}, host, 403},
		{"a cross-site fetch is refused", "/api/session", map[string]string{"X-Studio-Token": s.Token(), "Sec-Fetch-Site": "cross-site"}, host, 403},
		{"another host name (DNS rebinding) is refused", "/api/session", map[string]string{"X-Studio-Token": s.Token()}, "attacker.example:4000", 403},
		{"another port is refused", "/api/session", map[string]string{"X-Studio-Token": s.Token()}, "127.0.0.1:4001", 403},
		{"the script under another host name is refused", "/assets/app.js", nil, "attacker.example:4000", 403},
		{"an unknown path is not found", "/api/nothing", map[string]string{"X-Studio-Token": s.Token()}, host, 404},
		{"a file beside the mapping is not served", "/mapping.yaml", map[string]string{"X-Studio-Token": s.Token()}, host, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://"+tt.host+tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d: %s", w.Code, tt.want, w.Body.String())
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("no content security policy: %q", csp)
			}
		})
	}
}

func TestAPIRefusesWrongMethodsAndBodies(t *testing.T) {
	t.Parallel()
	s, _ := seed(t)
	req := httptest.NewRequest("POST", "http://"+host+"/api/evaluate", strings.NewReader(`{}`))
	req.Header.Set("X-Studio-Token", s.Token())
	req.Header.Set("Content-Type", "text/plain")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a form post (no JSON) gave %d", w.Code)
	}
	if code, _ := call(t, s, "GET", "/api/evaluate", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/evaluate gave %d", code)
	}
	req = httptest.NewRequest("POST", "http://"+host+"/api/evaluate", strings.NewReader(`{"source": `))
	req.Header.Set("X-Studio-Token", s.Token())
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not the JSON the page sends") {
		t.Errorf("broken JSON gave %d %s", w.Code, w.Body.String())
	}
	code, out := call(t, s, "POST", "/api/save", map[string]any{"source": 5, "version": []int{1}})
	if msg, _ := out["error"].(string); code != http.StatusBadRequest || strings.Contains(msg, "Go") || strings.Contains(msg, "saveRequest") {
		t.Errorf("a number for the text gave %d %q", code, msg)
	}
	big := map[string]string{"source": strings.Repeat("a", maxBody+1)}
	if code, _ := call(t, s, "POST", "/api/evaluate", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit gave %d", code)
	}
}

func TestSessionListsTheUsers(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	code, out := call(t, s, "GET", "/api/session", nil)
	if code != 200 {
		t.Fatal(code, out)
	}
	if out["source"] != source(t, dir) || out["file"] != "mapping.yaml" {
		t.Errorf("session: %v", out)
	}
	var labels []string
	for _, u := range out["users"].([]any) {
		labels = append(labels, u.(map[string]any)["kind"].(string)+":"+u.(map[string]any)["label"].(string))
	}
	want := "event:benbpyle (event.json),name:benbpyle,name:jdoe,test:ben gets his first and last name,test:a user missing from the table gets no extra claims"
	if got := strings.Join(labels, ","); got != want {
		t.Errorf("users:\n got %s\nwant %s", got, want)
	}
	if _, ok := out["schema"].(map[string]any)["properties"]; !ok {
		t.Error("the session has no JSON Schema for completion")
	}
}

// claims gives a token's claims by name, as the page gets them.
func claims(t *testing.T, out map[string]any, token string) map[string]map[string]any {
	t.Helper()
	toks, _ := out["tokens"].([]any)
	for _, tk := range toks {
		tk := tk.(map[string]any)
		if tk["name"] == token {
			m := map[string]map[string]any{}
			for _, c := range tk["claims"].([]any) {
				c := c.(map[string]any)
				m[c["name"].(string)] = c
			}
			return m
		}
	}
	t.Fatalf("no %s in %v", token, out)
	return nil
}

func TestEvaluateShowsTheTokensOfEachKindOfUser(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	src := source(t, dir)
	tests := []struct {
		name    string
		user    userRef
		version string
		first   string
	}{
		{"a sample event", userRef{kindEvent, "0"}, "", "Ben"},
		{"a typed user name", userRef{kindName, "jdoe"}, "", "Jane"},
		{"an inline test, on its own data", userRef{kindTest, "a user missing from the table gets no extra claims"}, "", "Jane"},
		{"a sample event switched to V2", userRef{kindEvent, "0"}, "2", "Ben"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: src, User: tt.user, Version: tt.version})
			if code != 200 || out["problem"] != nil {
				t.Fatal(code, out)
			}
			id := claims(t, out, "ID token")
			if tt.user.Kind == kindTest {
				// That test's event is benbpyle's, whom its data lacks.
				if _, has := id["firstName"]; has {
					t.Errorf("the test's own data has no benbpyle: %v", id["firstName"])
				}
			} else if c := id["firstName"]; c["value"] != tt.first || c["change"] != "added" || c["cognito"] != false {
				t.Errorf("firstName: %v", c)
			}
			if c := id["aud"]; c["cognito"] != true || c["change"] != "unchanged" {
				t.Errorf("aud should be Cognito's own: %v", c)
			}
			if !strings.Contains(out["explain"].(string), "Sources, in lookup order:") {
				t.Errorf("no explanation: %v", out["explain"])
			}
			wantTokens := 2
			if got := len(out["tokens"].([]any)); got != wantTokens {
				t.Errorf("%d tokens", got)
			}
			if tt.version != "" && out["version"] != tt.version {
				t.Errorf("ran as version %v", out["version"])
			}
		})
	}
}

func TestEvaluateShowsFindingsAndWhyThereAreNoTokens(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	src := strings.Replace(source(t, dir), "  lastName: user.LastName\n", "  lastName: user.LastName\n  sub: event.userName\n", 1)
	code, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: src, User: userRef{kindEvent, "0"}})
	if code != 200 {
		t.Fatal(code, out)
	}
	if out["errors"].(float64) != 1 || len(out["tokens"].([]any)) != 0 {
		t.Errorf("errors %v, tokens %v", out["errors"], out["tokens"])
	}
	var f map[string]any
	for _, x := range out["findings"].([]any) {
		if x.(map[string]any)["severity"] == "error" {
			f = x.(map[string]any)
		}
	}
	if f["rule"] != "protected-claim" || f["line"].(float64) != 10 || !strings.Contains(f["message"].(string), `claim "sub" cannot be added`) {
		t.Errorf("finding: %v", f)
	}
	if !strings.HasPrefix(out["problem"].(string), "the mapping does not load: ") {
		t.Errorf("problem: %v", out["problem"])
	}
	// Not YAML at all: findings, no crash.
	code, out = call(t, s, "POST", "/api/evaluate", evalRequest{Source: "claims: [\n", User: userRef{kindName, "x"}})
	if code != 200 || out["errors"].(float64) < 1 {
		t.Errorf("broken YAML: %d %v", code, out)
	}
	// A user the page cannot build says so.
	_, out = call(t, s, "POST", "/api/evaluate", evalRequest{Source: source(t, dir), User: userRef{"robot", "x"}})
	if !strings.Contains(out["problem"].(string), "not a kind of user") {
		t.Errorf("unknown kind: %v", out["problem"])
	}
	_, out = call(t, s, "POST", "/api/evaluate", evalRequest{Source: source(t, dir), User: userRef{kindEvent, "0"}, Version: "9"})
	if !strings.Contains(out["problem"].(string), "use 1, 2 or 3") {
		t.Errorf("version 9: %v", out["problem"])
	}
}

func TestInlineTestsReadOnlyFilesInTheMappingsFolder(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	outside := filepath.Join(t.TempDir(), "secret.json")
	os.WriteFile(outside, []byte(`{"version": "1", "secret": "do not show"}`), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	paths := []string{outside, "../" + filepath.Base(filepath.Dir(outside)) + "/secret.json", "link.json", `"` + outside + `"`, "&elsewhere " + outside}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			src := source(t, dir) + "  - name: reads elsewhere\n    event: " + p + "\n    data: /etc/passwd\n    expect: { idToken: {} }\n"
			if strings.HasPrefix(p, "&") {
				// An alias to a path written elsewhere is read through, too.
				src = source(t, dir) + "  - name: reads elsewhere\n    event: event.json\n    data: { tables: { T: [ { a: " + p + " } ] } }\n    expect: { idToken: {} }\n" +
					"  - name: alias\n    event: *elsewhere\n    data: /etc/passwd\n    expect: { idToken: {} }\n"
			}
			_, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: src, User: userRef{kindEvent, "0"}})
			body, _ := json.Marshal(out)
			if strings.Contains(string(body), "do not show") || strings.Contains(string(body), "root:") {
				t.Fatalf("the studio read a file outside the folder: %s", body)
			}
			var rules []string
			for _, f := range out["findings"].([]any) {
				rules = append(rules, f.(map[string]any)["rule"].(string))
			}
			if strings.Count(strings.Join(rules, " "), "tests-outside-folder") != 2 {
				t.Errorf("rules: %v", rules)
			}
		})
	}
	// A file inside the folder is read as usual.
	_, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: source(t, dir), User: userRef{kindEvent, "0"}})
	if out["errors"].(float64) != 0 {
		t.Errorf("the seed's own files: %v", out["findings"])
	}
}

func TestRunTestsShowsExpectedAndGot(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	code, out := call(t, s, "POST", "/api/tests", sourceRequest{Source: source(t, dir)})
	if code != 200 || len(out["outcomes"].([]any)) != 2 {
		t.Fatal(code, out)
	}
	for _, o := range out["outcomes"].([]any) {
		if o.(map[string]any)["passed"] != true {
			t.Errorf("failed: %v", o)
		}
	}
	src := strings.Replace(source(t, dir), "lastName: Pyle }", "lastName: Pile }", 1)
	_, out = call(t, s, "POST", "/api/tests", sourceRequest{Source: src})
	o := out["outcomes"].([]any)[0].(map[string]any)
	d := o["diffs"].([]any)[0].(map[string]any)
	if o["passed"] != false || d["expected"] != `"Pile"` || d["got"] != `"Pyle"` {
		t.Errorf("outcome: %v", o)
	}
	_, out = call(t, s, "POST", "/api/tests", sourceRequest{Source: "version: 1\nclaims: { a: nope }\n"})
	if !strings.Contains(out["problem"].(string), "the tests cannot run") {
		t.Errorf("a broken mapping: %v", out)
	}
}

func TestNewTestTurnsTheTokensIntoAPassingTest(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	code, out := call(t, s, "POST", "/api/newtest", newTestRequest{Source: source(t, dir), User: userRef{kindName, "jdoe"}})
	if code != 200 {
		t.Fatal(code, out)
	}
	src := out["source"].(string)
	for _, want := range []string{"  - name: what jdoe gets\n", "    env: {TABLE_NAME: SampleUsers}\n", "    data: users.yaml\n", "        firstName: Jane\n"} {
		if !strings.Contains(src, want) {
			t.Errorf("the new test lacks %q:\n%s", want, src)
		}
	}
	_, res := call(t, s, "POST", "/api/tests", sourceRequest{Source: src})
	if n := len(res["outcomes"].([]any)); n != 3 {
		t.Fatalf("%d tests: %v\n%s", n, res, src)
	}
	for _, o := range res["outcomes"].([]any) {
		if o.(map[string]any)["passed"] != true {
			t.Errorf("the new test does not pass: %v\n%s", o, src)
		}
	}
	code, out = call(t, s, "POST", "/api/newtest", newTestRequest{Source: src, User: userRef{kindName, "jdoe"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(out["error"].(string), "exists already") {
		t.Errorf("a second test of the same name: %d %v", code, out)
	}
	// A mapping without tests gets the section.
	code, out = call(t, s, "POST", "/api/newtest", newTestRequest{Source: "version: 1\nclaims:\n  a: '\"x\"'\n", User: userRef{kindEvent, "0"}, Name: "a is x"})
	if code != 200 || !strings.Contains(out["source"].(string), "\ntests:\n  - name: a is x\n") || !strings.Contains(out["source"].(string), "event: event.json") {
		t.Errorf("%d %v", code, out)
	}
}

func TestSaveIsAtomicAndRefusesConflictsAndErrors(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	file := filepath.Join(dir, "mapping.yaml")
	old := source(t, dir)
	_, sess := call(t, s, "GET", "/api/session", nil)
	version := sess["version"].(string)
	edited := strings.Replace(old, "claims:\n", "claims:\n  team: '\"platform\"'\n", 1)

	code, out := call(t, s, "POST", "/api/save", saveRequest{Source: edited, Version: version})
	if code != 200 || out["backup"] != ".claimsmapper-backup/mapping.yaml.bak" {
		t.Fatal(code, out)
	}
	if source(t, dir) != edited {
		t.Error("the file does not hold the saved text")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, BackupDir, "mapping.yaml.bak")); string(b) != old {
		t.Error("the backup does not hold the previous text")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, BackupDir, ".gitignore")); !strings.HasSuffix(string(b), "\n*\n") {
		t.Errorf("the backup folder's .gitignore: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	version = out["version"].(string)

	// Someone else changes the file: the page's save is refused.
	os.WriteFile(file, []byte(old+"# changed elsewhere\n"), 0o644)
	code, out = call(t, s, "POST", "/api/save", saveRequest{Source: edited + "# mine\n", Version: version})
	if code != http.StatusConflict || out["conflict"] != true || !strings.HasSuffix(out["disk"].(string), "# changed elsewhere\n") {
		t.Fatalf("conflict: %d %v", code, out)
	}
	if !strings.HasSuffix(source(t, dir), "# changed elsewhere\n") {
		t.Error("a conflicting save overwrote the file")
	}
	version = out["diskVersion"].(string)

	// A mapping with errors is saved only when the author confirms.
	broken := old + "timeout: soon\n"
	code, out = call(t, s, "POST", "/api/save", saveRequest{Source: broken, Version: version})
	if code != http.StatusUnprocessableEntity || out["errors"].(float64) < 1 {
		t.Fatalf("errors: %d %v", code, out)
	}
	code, _ = call(t, s, "POST", "/api/save", saveRequest{Source: broken, Version: version, AllowErrors: true})
	if code != 200 || source(t, dir) != broken {
		t.Errorf("confirmed save: %d", code)
	}
}

// TestSaveThatCannotWriteSaysWhyInPlainWords: when the backup cannot be
// written, the file is left alone and the message names neither Go's
// operation nor the temporary file.
func TestSaveThatCannotWriteSaysWhyInPlainWords(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	old := source(t, dir)
	// A folder where the backup goes: the rename onto it fails, as root too.
	if err := os.MkdirAll(filepath.Join(dir, BackupDir, "mapping.yaml.bak", "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, sess := call(t, s, "GET", "/api/session", nil)
	code, out := call(t, s, "POST", "/api/save", saveRequest{Source: old + "# more\n", Version: sess["version"].(string)})
	msg, _ := out["error"].(string)
	if code != http.StatusInternalServerError || !strings.HasPrefix(msg, "cannot write the backup .claimsmapper-backup/mapping.yaml.bak: ") {
		t.Fatalf("%d %v", code, out)
	}
	if strings.Contains(msg, "rename") || strings.Contains(msg, dir) {
		t.Errorf("the message shows Go's operation or a path: %q", msg)
	}
	if source(t, dir) != old {
		t.Error("the mapping changed although its backup could not be written")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestInsertTestKeepsTheRestOfTheFile(t *testing.T) {
	t.Parallel()
	item := "- name: new\n  expect: {}\n"
	tests := []struct {
		name, src, want string
	}{
		{"no tests section", "claims: {}\n", "claims: {}\n\ntests:\n  - name: new\n    expect: {}\n"},
		{"after the last test, before a later section",
			"tests:\n    - name: a\n      expect: {}\n\n# about claims\nclaims: {}\n",
			"tests:\n    - name: a\n      expect: {}\n    - name: new\n      expect: {}\n\n# about claims\nclaims: {}\n"},
		{"an empty list", "claims: {}\ntests: []\n", "claims: {}\ntests:\n  - name: new\n    expect: {}\n"},
		{"no newline at the end", "tests:\n- name: a", "tests:\n- name: a\n- name: new\n  expect: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := insertTest(tt.src, item)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestChangesCompareTheEditorWithTheSavedFile(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	src := source(t, dir)
	_, out := call(t, s, "POST", "/api/changes", sourceRequest{Source: src})
	// benbpyle is the sample event's user and in the data: counted once.
	if out["users"].(float64) != 2 || out["changed"].(float64) != 0 {
		t.Errorf("unchanged: %v", out)
	}
	edited := strings.Replace(src, "  lastName: user.LastName\n", "  lastName: user.LastName\n  team: '\"platform\"'\n", 1)
	_, out = call(t, s, "POST", "/api/changes", sourceRequest{Source: edited})
	if out["changed"].(float64) != 2 || strings.Count(out["text"].(string), "benbpyle\n") != 1 || !strings.Contains(out["text"].(string), "team") {
		t.Errorf("a new claim for everyone: %v", out)
	}
	// A comparison that runs out of time says so in words, not Go's.
	late, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	if got := s.changes(late, []byte(edited)).Problem; !strings.HasPrefix(got, "comparing every user took longer than 30s and was stopped") {
		t.Errorf("out of time: %q", got)
	}
	_, out = call(t, s, "POST", "/api/changes", sourceRequest{Source: "version: 1\nclaims: { a: nope }\n"})
	if !strings.Contains(out["problem"].(string), "fix the mapping's errors first") {
		t.Errorf("a broken mapping: %v", out)
	}
}

// TestHostileMappingsGetAnswersNotCrashes sends what a page could type: every
// API answers with findings or a problem, in bounded time, never a panic.
func TestHostileMappingsGetAnswersNotCrashes(t *testing.T) {
	t.Parallel()
	s, _ := seed(t)
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 8; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	sources := map[string]string{
		"an alias bomb":                  bomb,
		"deep nesting":                   strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		"text that is not UTF-8":         "version: 1\nclaims:\n  a: \"\xff\xfe\"\n",
		"an expression that runs long":   "version: 1\nclaims:\n  a: 'reduce(1..1000000000, #acc + #, 0)'\n",
		"a huge repeat":                  "version: 1\nclaims:\n  a: 'repeat(\"x\", 1000000000)'\n",
		"a test whose event is a folder": "version: 1\nclaims: { a: '\"x\"' }\ntests:\n  - name: t\n    event: .\n    expect: { idToken: {} }\n",
		"an empty text":                  "",
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, call2 := range []struct {
				path string
				body any
			}{
				{"/api/evaluate", evalRequest{Source: src, User: userRef{kindEvent, "0"}}},
				{"/api/tests", sourceRequest{Source: src}},
				{"/api/newtest", newTestRequest{Source: src, User: userRef{kindEvent, "0"}}},
				{"/api/changes", sourceRequest{Source: src}},
			} {
				code, out := call(t, s, "POST", call2.path, call2.body)
				if code >= 500 || out == nil {
					t.Errorf("%s: %d %v", call2.path, code, out)
				}
			}
		})
	}
}

// TestNewRefusesASampleThatIsNotAnEvent: a bad --events file stops the
// studio with a message naming the file, in plain words.
func TestNewRefusesASampleThatIsNotAnEvent(t *testing.T) {
	t.Parallel()
	_, dir := seed(t)
	for name, raw := range map[string]string{
		"text that is not JSON": "userName: jdoe",
		"a list":                `[{"version": "1"}]`,
		"a wrong version":       `{"version": 7, "userName": "jdoe"}`,
		"nothing":               "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(Options{Mapping: filepath.Join(dir, "mapping.yaml"), Events: []EventFile{{Path: "bad.json", Raw: []byte(raw)}}})
			if err == nil {
				t.Fatal("the studio started with a bad sample event")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "bad.json: ") || strings.Contains(msg, "Go ") || strings.Contains(msg, "mapper.") {
				t.Errorf("message: %q", msg)
			}
		})
	}
}

// TestNewTestKeepsAHostileNameInsideTheTest: a name or user name with YAML
// syntax and line breaks stays one quoted value; it adds no other test and
// changes nothing else in the mapping.
func TestNewTestKeepsAHostileNameInsideTheTest(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	before := source(t, dir)
	_, res := call(t, s, "POST", "/api/tests", sourceRequest{Source: before})
	had := len(res["outcomes"].([]any))
	for _, tt := range []struct{ name, user string }{
		{"x\n  - name: injected\nclaims: {}\n", "jdoe"},
		{"", "jdoe\"\n# }: [&a *a"},
		{"#: &x - ? | > '\"", "ben"},
	} {
		code, out := call(t, s, "POST", "/api/newtest", newTestRequest{Source: before, User: userRef{kindName, tt.user}, Name: tt.name})
		if code != 200 {
			t.Fatalf("%q: %d %v", tt.name, code, out)
		}
		src := out["source"].(string)
		if !strings.HasPrefix(src, strings.TrimSuffix(before, "\n")) {
			t.Errorf("%q: the text before the new test changed:\n%s", tt.name, src)
		}
		_, res := call(t, s, "POST", "/api/tests", sourceRequest{Source: src})
		outcomes := res["outcomes"].([]any)
		if len(outcomes) != had+1 {
			t.Fatalf("%q: %d tests, want %d: %v\n%s", tt.name, len(outcomes), had+1, res, src)
		}
		want := strings.TrimSpace(tt.name)
		if want == "" {
			want = "what " + strings.TrimSpace(tt.user) + " gets"
		}
		if got := outcomes[had].(map[string]any)["name"]; got != want {
			t.Errorf("the new test is named %q, want %q", got, want)
		}
	}
}

// "Make a test" writes env: into the mapping, which is saved, committed and
// published. It must carry only what the mapping really reads, that the
// function may read, with values the author gave: never the studio's own
// AWS credentials, whatever the text mentions in comments or $${ literals.
func TestNewTestCopiesNoSecretFromTheEnvironment(t *testing.T) {
	// Not parallel: it sets process variables the server must not read.
	const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", secret)
	t.Setenv("TABLE_NAME", secret)
	t.Setenv("EXTRA", secret)
	t.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME,EXTRA")
	s, dir := seed(t)
	src := source(t, dir)
	src = strings.Replace(src, "version: 1\n", "version: 1\n# uses ${AWS_SECRET_ACCESS_KEY} and ${AWS_SESSION_TOKEN} and ${EXTRA}\n", 1)
	src = strings.Replace(src, "claims:\n", "claims:\n  note:\n    const: 'costs $${AWS_SESSION_TOKEN} and $${EXTRA}'\n", 1)
	code, out := call(t, s, "POST", "/api/newtest", newTestRequest{Source: src, User: userRef{kindName, "jdoe"}})
	if code != 200 {
		t.Fatal(code, out)
	}
	got := out["source"].(string)
	if strings.Contains(got, secret) {
		t.Fatalf("the new test copies the studio's environment:\n%s", got)
	}
	if !strings.Contains(got, "    env: {TABLE_NAME: SampleUsers}\n") {
		t.Errorf("the new test should take TABLE_NAME from the mapping's own tests:\n%s", got)
	}
	for _, name := range []string{"AWS_SECRET_ACCESS_KEY:", "AWS_SESSION_TOKEN:", "EXTRA:"} {
		if strings.Contains(got, name) {
			t.Errorf("the new test sets %s, which the mapping does not read:\n%s", name, got)
		}
	}
}

// The token leaves the page's address: the page is served once with it in
// the query and sets an HttpOnly, same-site cookie, which a reload and the
// API calls then use. The query alone opens nothing but the page.
func TestTheTokenMovesFromTheAddressToACookie(t *testing.T) {
	t.Parallel()
	s, _ := seed(t)
	get := func(path string, cookie *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "http://"+host+path, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w
	}
	first := get("/?token="+s.Token(), nil)
	cookies := first.Result().Cookies()
	if first.Code != 200 || len(cookies) != 1 {
		t.Fatalf("the page with the token: %d, cookies %v", first.Code, cookies)
	}
	c := cookies[0]
	if c.Value != s.Token() || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Name != "claimsmapper-studio-4000" {
		t.Errorf("cookie %+v: want the token, HttpOnly, SameSite=Strict, named after the port", c)
	}
	if w := get("/", c); w.Code != 200 {
		t.Errorf("a reload with the cookie: %d", w.Code)
	}
	if w := get("/api/session", c); w.Code != 200 {
		t.Errorf("an API call with the cookie: %d %s", w.Code, w.Body)
	}
	if w := get("/api/session?token="+s.Token(), nil); w.Code != http.StatusForbidden {
		t.Errorf("an API call with the token in its address: %d, want 403", w.Code)
	}
	other := *c
	other.Name = "claimsmapper-studio-4001"
	if w := get("/", &other); w.Code != http.StatusForbidden {
		t.Errorf("another port's cookie: %d, want 403", w.Code)
	}
	wrong := *c
	wrong.Value = "nope"
	if w := get("/", &wrong); w.Code != http.StatusForbidden {
		t.Errorf("a wrong cookie: %d, want 403", w.Code)
	}
}

// The backup is where git does not see it, and a backup folder that is a
// link (which could lead outside the mapping's folder) is not written through.
func TestSaveBackupIsIgnoredByGitAndNotWrittenThroughALink(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	old := source(t, dir)
	if git, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command(git, "-C", dir, "init", "-q").CombinedOutput(); err != nil {
			t.Fatalf("git init: %v %s", err, out)
		}
	}
	_, sess := call(t, s, "POST", "/api/save", saveRequest{Source: old + "# one\n", Version: hash([]byte(old))})
	if sess["backup"] == nil {
		t.Fatalf("save: %v", sess)
	}
	if git, err := exec.LookPath("git"); err == nil {
		out, err := exec.Command(git, "-C", dir, "status", "--porcelain", "--untracked-files=all").CombinedOutput()
		if err != nil || strings.Contains(string(out), "claimsmapper-backup") || strings.Contains(string(out), ".bak") {
			t.Errorf("git sees the backup: %v\n%s", err, out)
		}
	}

	s2, dir2 := seed(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir2, BackupDir)); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	old2 := source(t, dir2)
	code, out := call(t, s2, "POST", "/api/save", saveRequest{Source: old2 + "# two\n", Version: hash([]byte(old2))})
	if code != http.StatusInternalServerError || !strings.Contains(out["error"].(string), "is not a folder") {
		t.Errorf("%d %v", code, out)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("the save wrote through the link: %v", entries)
	}
	if source(t, dir2) != old2 {
		t.Error("the mapping was saved without its backup")
	}
}

// The page can set the chosen user's groups, as preview --group does.
func TestEvaluateWithTheGroupsThePageSets(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	src := strings.Replace(source(t, dir), "claims:\n", "claims:\n  is_admin:\n    const: true\n    when: '\"admins\" in event.groups'\n", 1)
	for _, u := range []userRef{{Kind: kindName, ID: "jdoe"}, {Kind: kindEvent, ID: "0"}, {Kind: kindTest, ID: "ben gets his first and last name"}} {
		for _, groups := range []*[]string{nil, {"admins"}} {
			_, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: src, User: u, Groups: groups})
			b, _ := json.Marshal(out["tokens"])
			if got, want := strings.Contains(string(b), `"is_admin"`), groups != nil; got != want {
				t.Errorf("%v with groups %v: is_admin %v, want %v (%v)", u, groups, got, want, out["problem"])
			}
		}
	}
}

// As the author types, the users of --data are evaluated too: a claim that
// fails for some of them is a finding on the page, as lint --data says.
func TestFindingsIncludeClaimsThatFailForSomeDataUsers(t *testing.T) {
	t.Parallel()
	s, dir := seed(t)
	src := strings.Replace(source(t, dir), "claims:\n", "claims:\n  nick: user.Nickname + \"!\"\n", 1)
	_, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: src, User: userRef{Kind: kindName, ID: "jdoe"}})
	b, _ := json.Marshal(out["findings"])
	if !strings.Contains(string(b), "fails-for-some-users") || !strings.Contains(string(b), "user.Nickname is missing") {
		t.Errorf("findings: %s", b)
	}
}
