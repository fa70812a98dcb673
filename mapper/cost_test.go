package mapper_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// zones are a hundred time zone names, for the timezone reproductions.
var zones = strings.Fields(`Europe/Paris Europe/London Europe/Berlin Europe/Madrid Europe/Rome Europe/Vienna Europe/Warsaw
Europe/Prague Europe/Oslo Europe/Stockholm Europe/Helsinki Europe/Athens Europe/Lisbon Europe/Dublin Europe/Brussels
Europe/Amsterdam Europe/Zurich Europe/Budapest Europe/Bucharest Europe/Sofia Europe/Kiev Europe/Moscow Europe/Istanbul
Europe/Riga Europe/Tallinn Europe/Vilnius Europe/Belgrade Europe/Zagreb Europe/Ljubljana Europe/Bratislava
America/New_York America/Chicago America/Denver America/Los_Angeles America/Phoenix America/Anchorage America/Toronto
America/Vancouver America/Mexico_City America/Bogota America/Lima America/Santiago America/Caracas America/Halifax
America/Sao_Paulo America/Argentina/Buenos_Aires America/Montevideo America/La_Paz America/Guatemala America/Panama
America/Havana America/Jamaica America/Puerto_Rico America/Edmonton America/Winnipeg America/Regina America/Detroit
Asia/Tokyo Asia/Seoul Asia/Shanghai Asia/Hong_Kong Asia/Singapore Asia/Kolkata Asia/Dubai Asia/Karachi Asia/Dhaka
Asia/Bangkok Asia/Jakarta Asia/Manila Asia/Taipei Asia/Tehran Asia/Baghdad Asia/Riyadh Asia/Jerusalem Asia/Kathmandu
Asia/Colombo Asia/Yangon Asia/Ho_Chi_Minh Asia/Kuala_Lumpur Asia/Almaty Asia/Tashkent Asia/Baku Asia/Tbilisi
Asia/Yerevan Asia/Kabul Asia/Vladivostok Asia/Novosibirsk Africa/Cairo Africa/Lagos Africa/Nairobi
Africa/Johannesburg Africa/Casablanca Africa/Algiers Africa/Accra Africa/Addis_Ababa Australia/Sydney
Australia/Melbourne Australia/Perth Australia/Brisbane Pacific/Auckland Pacific/Honolulu Pacific/Fiji`)

// issueReproductions are the expressions issue 20 found running free or
// killing the process, each made into a claim beside cheap ones.
func issueReproductions() []struct{ name, claims string } {
	bounded := `[ab][a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}c`
	literal := "[ab]" + strings.Repeat("x", 20000)
	ins := strings.TrimSuffix(strings.Repeat(`"b" in L || `, 400), " || ")
	var tz []string
	for _, z := range zones {
		tz = append(tz, fmt.Sprintf("timezone(%q)", z))
	}
	five := ""
	for i := range 5 {
		five += fmt.Sprintf("  bad%d: 'let L = split(repeat(\"a,\", 200000), \",\"); (%s) ? 1 : int(\"x\")'\n", i, ins)
	}
	return []struct{ name, claims string }{
		{"a quoted pattern with bounded repeats", fmt.Sprintf("  bad: 'repeat(\"a\", 200000) matches \"%s\"'\n", bounded)},
		{"a quoted pattern with a long literal", fmt.Sprintf("  bad: 'repeat(\"a\", 200000) matches \"%s\"'\n", literal)},
		{"in repeated 400 times over a 200k list, in five claims", five},
		{"timezone in a loop", fmt.Sprintf("  bad: 'len(map(0..1999, [%s]))'\n", strings.Join(tz, ", "))},
		{"one claim's loop before a claim that needs none", "  bad: 'len(reduce(1..400000, #acc + \"xy\", \"\"))'\n"},
	}
}

// TestIssueReproductionsFailOnTheirWork: each of issue 20's expressions
// fails its own claim on the work limit, charged before the work (not on
// the time, which would mean it ran), and the cheap claims after it come
// out: one that reads the event, and one that does a little charged work.
func TestIssueReproductionsFailOnTheirWork(t *testing.T) {
	t.Parallel()
	for _, r := range issueReproductions() {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nclaims:\n" + r.claims + "  y: event.userName\n  z: 'upper(event.userName) + \"!\"'\n"
			mp := loadBudget(t, src, nil)
			res, tr := evaluateV2(t, mp)
			if res.IDClaims["y"] != "jdoe" || res.IDClaims["z"] != "JDOE!" {
				t.Errorf("claims %v, want y and z", res.IDClaims)
			}
			for _, rt := range tr.Rules {
				if !strings.HasPrefix(rt.Path, "claims.bad") {
					continue
				}
				if limit, _ := mapper.IsLimit(rt.Err); limit != "work" {
					t.Errorf("%s failed with %v, want the work limit", rt.Path, rt.Err)
				}
			}
		})
	}
}

// TestAClaimOverItsShareLeavesTheRest: a claim that spends its share of the
// event's work fails alone; many of them together run out the event's
// work, after which the claims that need work fail too, and those that
// need none still come out.
func TestAClaimOverItsShareLeavesTheRest(t *testing.T) {
	t.Parallel()
	lim := mapper.DefaultLimits
	heavy := "count(0..300000, # >= 0)"
	var b strings.Builder
	b.WriteString("version: 1\nclaims:\n  first: 'upper(event.userName)'\n")
	shares := lim.Work/lim.ExprWork + 2
	for i := range shares {
		fmt.Fprintf(&b, "  heavy%02d: '%s'\n", i, heavy)
	}
	b.WriteString("  late: 'upper(event.userName)'\n  free: event.userName\n")
	mp := loadBudget(t, b.String(), nil)
	res, tr := evaluateV2(t, mp)
	if res.IDClaims["first"] != "JDOE" || res.IDClaims["free"] != "jdoe" {
		t.Errorf("claims %v, want first and free", res.IDClaims)
	}
	failed := 0
	for _, rt := range tr.Rules {
		if strings.HasPrefix(rt.Path, "claims.heavy") {
			if limit, _ := mapper.IsLimit(rt.Err); limit != "work" {
				t.Errorf("%s: %v, want the work limit", rt.Path, rt.Err)
			}
			failed++
		}
	}
	if failed != shares {
		t.Errorf("%d heavy claims failed, want %d", failed, shares)
	}
	// Each heavy claim took its share: the event's work is gone.
	if _, ok := res.IDClaims["late"]; ok {
		t.Errorf("late came out after the event's work was spent: %v", res.IDClaims)
	}
}

// TestOneHeavyClaimDoesNotStarveTheNext: a claim over its share leaves
// enough of the event for the next one to do real work.
func TestOneHeavyClaimDoesNotStarveTheNext(t *testing.T) {
	t.Parallel()
	mp := loadBudget(t, "version: 1\nclaims:\n  x: 'len(reduce(1..400000, #acc + \"xy\", \"\"))'\n  y: 'count(0..100000, # >= 0)'\n", nil)
	res, _ := evaluateV2(t, mp)
	if _, ok := res.IDClaims["x"]; ok || res.IDClaims["y"] != 100001 {
		t.Errorf("claims %v, want y = 100001 and no x", res.IDClaims)
	}
}

// TestNothingOfTheProcessReachesAToken: $env, which holds the budget, is
// refused when the mapping loads, whatever reads it; and no value or error
// that reaches a token or a log carries a Go address or a budget name.
func TestNothingOfTheProcessReachesAToken(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"string($env)", "toJSON($env)", "keys($env)", "$env.event.userName", `$env["$budget"]`, "len($env)", "values($env)[0]"} {
		_, fs := loaded(mapper.Load([]byte(fmt.Sprintf("version: 1\nclaims:\n  x: '%s'\n", strings.ReplaceAll(code, "'", "''"))), mapper.LoadOptions{File: "m.yaml"}))
		if len(fs) == 0 || fs[0].Rule != "reserved-name" {
			t.Errorf("%s: %v, want a reserved-name error", code, fs)
		}
	}
	// Values and failures the expressions can reach: the event, a source,
	// errors of the charged functions and of expr's own.
	store := tables(t, "tables:\n  Users:\n    - userName: jdoe\n      n: 42\n      roles: [a, b]\n")
	claims := []string{
		"string(event)", "toJSON(event)", "string(user)", "string(timezone(\"Europe/Paris\"))", "string(date(\"2024-01-02\"))",
		"upper(user.n)", "trim(user.n)", "user.n matches \"a\"", "user.n contains \"a\"", "user.roles[user.n]",
		"int(\"x\")", "fromJSON(\"{\")", "timezone(\"Nowhere/Else\")", "date(\"x\", \"y\", \"Nowhere/Else\")",
		"repeat(\"x\", -1)", "split(user.n, \",\")", "keys(user.n)", "user.n in user.n", "string([user, event])",
		"sortBy(user.roles, #.x)", "map(user.n, #)", "reduce(user.roles, #acc + #)", "user.roles + user.n",
		"type(event)", "type(user)", "type([event])", "string(type(event))",
	}
	var b strings.Builder
	b.WriteString("version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\nclaims:\n")
	for i, c := range claims {
		fmt.Fprintf(&b, "  c%02d: '%s'\n", i, strings.ReplaceAll(c, "'", "''"))
	}
	var logs bytes.Buffer
	mp, fs := loaded(mapper.Load([]byte(b.String()), mapper.LoadOptions{File: "m.yaml", Store: store,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
	if err := config.Errors(fs); err != nil {
		t.Fatal(err)
	}
	res, tr := evaluateV2(t, mp)
	out := jsonText(res.IDClaims) + logs.String()
	for _, rt := range tr.Rules {
		if rt.Err != nil {
			out += "\n" + rt.Err.Error()
		}
	}
	for _, leak := range []string{"0x", "$budget", "budget", "$tick", "$iter", "mapper.", "*mapper", "claimsmapper/",
		// Go's words for the kinds of values, where the charged operations
		// could have said it in the author's.
		"interface {}", "reflect", "int64"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q reached a token, a log line or an error:\n%s", leak, out)
		}
	}
}

// TestMethodsOfDatesStillRun: the methods of dates and durations have
// entries (fixed cost), so what the docs show still compiles and runs.
func TestMethodsOfDatesStillRun(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nclaims:\n  year: 'now().Year() > 2000'\n  day: 'date(\"2024-03-05\").Format(\"02/01\")'\n  hours: 'duration(\"90m\").Hours()'\n  unix: 'date(\"2024-01-01\", \"2006-01-02\", \"UTC\").Unix()'\n", nil)
	res, _ := evaluateV2(t, mp)
	if res.IDClaims["year"] != true || res.IDClaims["day"] != "05/03" || res.IDClaims["hours"] != 1.5 || res.IDClaims["unix"] != int64(1704067200) {
		t.Errorf("claims %v", res.IDClaims)
	}
}

// TestALongFormatLayoutIsRefused: Format's work and the text it writes grow
// with its layout, and Format has a fixed cost, so a quoted layout of 30 KB
// in a loop ran its claim for the whole sign-in's time at one unit a step.
// A layout is quoted and short; a long one does not compile.
func TestALongFormatLayoutIsRefused(t *testing.T) {
	t.Parallel()
	layout := strings.Repeat("2006-01-02 Monday January ", 3)
	src := "version: 1\nclaims:\n  ok: 'now().Format(\"2006-01-02T15:04:05Z07:00\")'\n  long: 'let r = 0..440; count(r, count(r, now().Format(\"" + layout + "\") == \"x\") > 0)'\n"
	_, fs := loaded(mapper.Load([]byte(src), mapper.LoadOptions{File: "m.yaml"}))
	var got []string
	for _, f := range fs {
		got = append(got, f.Path+" "+f.Rule)
	}
	if len(fs) != 1 || fs[0].Path != "claims.long" || fs[0].Rule != "no-cost" {
		t.Errorf("findings %q, want one no-cost on claims.long", got)
	}
}

// evaluateV2 evaluates the v2 test event, failing the test if the event
// fails (every mapping here runs under onClaimError omit).
func evaluateV2(t *testing.T, mp *mapper.Mapper) (*mapper.Result, *mapper.Trace) {
	t.Helper()
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	res, tr, err := mp.EvaluateTrace(context.Background(), ev)
	if err != nil {
		t.Fatalf("the event failed: %v", err)
	}
	return res, tr
}

// TestRuntimeErrorsNameNoGoType: the run-time errors of expressions given
// the wrong kind of value, as explain, run and test show them, name kinds
// of values, never Go's types.
func TestRuntimeErrorsNameNoGoType(t *testing.T) {
	t.Parallel()
	codes := []string{`fromJSON("1").x`, `fromJSON("{}")[1]`, `int(fromJSON("{}"))`, `float(fromJSON("[]"))`, `len(fromJSON("1"))`,
		`fromJSON("{}") * 2`, `!fromJSON("1")`, `fromJSON("[]") < fromJSON("{}")`, `fromJSON("1") startsWith "a"`,
		`sort(fromJSON("[1, \"a\"]"))`, `now().Add(fromJSON("1"))`, `now().Sub(fromJSON("1"))`, `groupBy(fromJSON("[1]"), fromJSON("[]"))`,
		`bitand(fromJSON("1.5"), 1)`, `{(fromJSON("[]")): 1}`, `1 % fromJSON("0")`, `now().In(fromJSON("1"))`, `duration("1h").Round(fromJSON("\"a\""))`}
	src := "version: 1\nclaims:\n"
	for i, c := range codes {
		src += fmt.Sprintf("  c%d: '%s'\n", i, strings.ReplaceAll(c, "'", "''"))
	}
	mp := load(t, src, nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	_, tr, err := mp.EvaluateTrace(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	goWords := regexp.MustCompile(`interface \{\}|map\[|\[\]|\b(u?int(64)?|float64|bool|string)\b($|[^(])|reflect|time\.|conversion`)
	failed := 0
	for _, rt := range tr.Rules {
		if rt.Err == nil {
			continue
		}
		failed++
		msg, snippet, _ := strings.Cut(mapper.PlainError(rt.Err.Error()), "\n")
		if _, code, _ := strings.Cut(rt.Err.Error(), "\n"); snippet != code {
			t.Errorf("%s: the expression quoted changed: %q", rt.Path, snippet)
		}
		if goWords.MatchString(msg) {
			t.Errorf("%s: %q names a Go type", rt.Path, msg)
		}
	}
	if failed != len(codes) {
		t.Errorf("%d of %d expressions failed", failed, len(codes))
	}
}

// TestNoGoNamesInAValue: the event written by toJSON has the field names
// expressions use (userPoolId), not its Go fields (UserPoolID); type names
// dates, durations and zones as authors know them, not as time.Time; a
// date as text carries no reading of the process's clock (m=+0.003).
func TestNoGoNamesInAValue(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nclaims:\n  j: 'toJSON(event)'\n  t: '[type(now()), type(duration(\"1s\")), type(timezone(\"UTC\"))]'\n"+
		"  s: 'string([now()]) + string(now())'\n  z: 'string(timezone(\"UTC\")) + string(now().In(timezone(\"UTC\")).Location()) + toJSON([timezone(\"UTC\")])'\n", nil)
	res, _ := evaluateV2(t, mp)
	j, _ := res.IDClaims["j"].(string)
	if !strings.Contains(j, `"userPoolId"`) || strings.Contains(j, "UserPoolID") {
		t.Errorf("toJSON(event) = %s", j)
	}
	if got := fmt.Sprint(res.IDClaims["t"]); got != "[date duration time zone]" {
		t.Errorf("type = %s", got)
	}
	if s, _ := res.IDClaims["s"].(string); strings.Contains(s, "m=") {
		t.Errorf("string of a date = %s", s)
	}
	if z := res.IDClaims["z"]; z != `UTCUTC["UTC"]` {
		t.Errorf("zones = %v", z)
	}
}
