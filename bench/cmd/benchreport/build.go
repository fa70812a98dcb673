package main

import (
	"fmt"
	"slices"
	"strings"
)

// report is what the page template shows: tables as Markdown, and the
// figures its prose quotes.
type report struct {
	CPU                                                      string
	Engines, Seed, Scale, ColdStart, DynamoDB, Packages      string
	Warm, InitSteps                                          string
	Budget, BudgetCost                                       string
	Honesty, StepNs                                          string
	Goals, Studio                                            string
	MapperVsHand, JsonnetVsMapper, GojaVsMapper, CELVsMapper string
}

// need is a benchmark's median in unit, or an error naming what is missing.
type need struct {
	res *results
	err error
}

// worst is the largest of a benchmark's values in unit.
func (n *need) worst(name, unit string) float64 {
	vs := n.res.values[name][unit]
	if len(vs) == 0 {
		return n.get(name, unit)
	}
	return slices.Max(vs)
}

func (n *need) get(name, unit string) float64 {
	v, ok := n.res.median(name, unit)
	if !ok && n.err == nil {
		n.err = fmt.Errorf("no %s for %s in the benchmark output: run `make bench` (which installs the test servers the integration benchmarks need)", unit, name)
	}
	return v
}

// The engines in the order the table shows them, hand-written first.
var engines = []string{"handwritten", "mapper", "cel", "goja", "jsonnet"}

func build(res *results) (*report, error) {
	n := &need{res: res}
	r := &report{CPU: res.cpu}
	var g goals

	// The five engines, compared by CPU time: the machine's other work
	// stretches the wall time of whichever engine it lands on.
	ns := map[string]float64{}
	for _, e := range engines {
		ns[e] = n.get("BenchmarkEngines/"+e, "cpu-ns/op")
	}
	// Both ratio columns are times: 2.00x takes twice as long.
	t := table{head: []string{"engine", "ns/op", "CPU ns/op", "B/op", "allocs/op", "vs hand-written", "vs mapper"}}
	for _, e := range engines {
		name := "BenchmarkEngines/" + e
		t.add(e, count(n.get(name, "ns/op")), count(ns[e]), count(n.get(name, "B/op")), count(n.get(name, "allocs/op")),
			ratio(ns[e]/ns["handwritten"]), ratio(ns[e]/ns["mapper"]))
	}
	r.Engines = t.String()
	r.MapperVsHand, r.JsonnetVsMapper = ratio(ns["mapper"]/ns["handwritten"]), ratio(ns["jsonnet"]/ns["mapper"])
	r.GojaVsMapper, r.CELVsMapper = ratio(ns["goja"]/ns["mapper"]), ratio(ns["cel"]/ns["mapper"])
	g.add("mapper within 1.05x of hand-written", r.MapperVsHand+" of hand-written", ns["mapper"] <= 1.05*ns["handwritten"])
	g.add("mapper at least 10x faster than go-jsonnet", r.JsonnetVsMapper+" faster", ns["jsonnet"] >= 10*ns["mapper"])
	g.add("mapper at least 3x faster than goja", r.GojaVsMapper+" faster", ns["goja"] >= 3*ns["mapper"])
	g.add("mapper no slower than cel-go", r.CELVsMapper+" faster", ns["cel"] >= ns["mapper"])

	// The evaluation budget: the engines' workload with and without it.
	// CPU time compares them: on a shared machine it moves far less than
	// the wall time.
	t = table{head: []string{"mapper", "ns/op", "CPU ns/op", "B/op", "allocs/op", "CPU vs without"}}
	without := n.get("BenchmarkBudget/without", "cpu-ns/op")
	for _, c := range []string{"with", "without"} {
		name := "BenchmarkBudget/" + c
		cpu := n.get(name, "cpu-ns/op")
		t.add(c+" the cost model", count(n.get(name, "ns/op")), count(cpu), count(n.get(name, "B/op")), count(n.get(name, "allocs/op")), ratio(cpu/without))
	}
	r.Budget = t.String()
	r.BudgetCost = fmt.Sprintf("%+.1f%%", (n.get("BenchmarkBudget/with", "cpu-ns/op")/without-1)*100)

	// The cost model's honesty: the worst of every run, not the median.
	const hon = "BenchmarkCostHonesty"
	worstT, boundT := n.worst(hon, "worst-steps/unit"), n.get(hon, "bound-steps/unit")
	worstA, boundA := n.worst(hon, "worst-B/charged-B"), n.get(hon, "bound-B/charged-B")
	t = table{head: []string{"measure", "worst case seen", "bound the test enforces"}}
	t.add("wall time per unit of work, in loop steps", fmt.Sprintf("%.1f", worstT), fmt.Sprintf("%.0f", boundT))
	t.add("bytes allocated per byte charged (and 64 per unit of work)", fmt.Sprintf("%.2f", worstA), fmt.Sprintf("%.0f", boundA))
	r.Honesty = t.String()
	r.StepNs = fmt.Sprintf("%.0f ns", n.get(hon, "step-ns"))
	g.add("the cost model is honest: time per unit and bytes per charged byte within their bounds",
		fmt.Sprintf("%.1f of %.0f loop steps, %.2f of %.0f bytes", worstT, boundT, worstA, boundA), worstT <= boundT && worstA <= boundA)

	// The seed scenario.
	t = table{head: []string{"handler", "ns/op", "B/op", "allocs/op", "vs hand-written"}}
	hand := n.get("BenchmarkHandler/handwritten", "ns/op")
	for _, h := range []string{"mapper", "handwritten"} {
		name := "BenchmarkHandler/" + h
		v := n.get(name, "ns/op")
		t.add(h, count(v), count(n.get(name, "B/op")), count(n.get(name, "allocs/op")), ratio(v/hand))
	}
	r.Seed = t.String()

	// Scaling.
	t = table{head: []string{"claims", "evaluate ns/op", "per claim", "B/op", "allocs/op", "load", "load B/op", "load allocs/op"}}
	perClaim := map[int]float64{}
	var load100 float64
	for _, c := range []int{10, 100, 1000} {
		ev, ld := fmt.Sprintf("BenchmarkScaleEvaluate/claims=%d", c), fmt.Sprintf("BenchmarkScaleLoad/claims=%d", c)
		v, l := n.get(ev, "ns/op"), n.get(ld, "ns/op")
		perClaim[c] = v / float64(c)
		if c == 100 {
			load100 = l
		}
		t.add(count(float64(c)), count(v), duration(perClaim[c]), count(n.get(ev, "B/op")), count(n.get(ev, "allocs/op")),
			duration(l), count(n.get(ld, "B/op")), count(n.get(ld, "allocs/op")))
	}
	r.Scale = t.String()
	g.add("evaluation grows linearly (per-claim time at 1,000 claims within 2x of 100)",
		fmt.Sprintf("%s per claim at 100, %s at 1,000", duration(perClaim[100]), duration(perClaim[1000])), perClaim[1000] <= 2*perClaim[100])
	g.add("a 100-claim mapping loads in under 20 ms", duration(load100), load100 < 20e6)

	// Cold start, against the floor: an aws-lambda-go hello built the same
	// way, measured in the same interleaved run.
	const cs, warm, pi = "BenchmarkColdStart", "BenchmarkWarm", "BenchmarkPackageInit"
	helloInit, helloAnswer := n.get(cs, "hello-init-ms")*1e6, n.get(cs, "hello-first-answer-ms")*1e6
	t = table{head: []string{"function", "init (INIT REPORT)", "vs hello", "vs hello, paired", "process start to first answer", "vs hello", "zip"}}
	for _, f := range []struct{ name, label string }{{"hello", "aws-lambda-go hello (the floor)"},
		{"handwritten", "hand-written Go with the AWS SDK, seed job"}, {"seed", "claimsmapper, seed mapping"}, {"claims100", "claimsmapper, 100 claims"}} {
		init, answer := n.get(cs, f.name+"-init-ms")*1e6, n.get(cs, f.name+"-first-answer-ms")*1e6
		zip := "(same binary)"
		if v, ok := res.median(cs, f.name+"-zip-bytes"); ok {
			zip = megabytes(v)
		}
		paired := "1.00x"
		if f.name != "hello" {
			paired = ratio(n.get(cs, f.name+"-init-per-hello"))
		}
		t.add(f.label, duration(init), ratio(init/helloInit), paired, duration(answer), ratio(answer/helloAnswer), zip)
	}
	r.ColdStart = t.String()
	seedInit, seedPaired := n.get(cs, "seed-init-ms")*1e6, n.get(cs, "seed-init-per-hello")
	g.add("init within 1.5x of the aws-lambda-go hello (seed mapping, emulator; median of the paired ratios)",
		fmt.Sprintf("%s (medians: %s against %s)", ratio(seedPaired), duration(seedInit), duration(helloInit)), seedPaired <= 1.5)

	// Warm: what the function's process uses per call, and at most.
	t = table{head: []string{"function", "CPU per warm call", "peak memory after 1,101 calls"}}
	for _, f := range []struct{ name, label string }{{"hello", "aws-lambda-go hello"},
		{"handwritten", "hand-written Go with the AWS SDK, seed job"}, {"seed", "claimsmapper, seed mapping"}} {
		t.add(f.label, fmt.Sprintf("%.2f ms", n.get(warm, f.name+"-cpu-ms/call")), fmt.Sprintf("%.1f MiB", n.get(warm, f.name+"-peak-MiB")))
	}
	r.Warm = t.String()
	cpu, peak := n.get(warm, "seed-cpu-ms/call"), n.get(warm, "seed-peak-MiB")
	g.add("warm CPU per call no worse than before (0.85 ms, seed job, emulator)", fmt.Sprintf("%.2f ms", cpu), cpu <= 0.85)
	g.add("peak memory no worse than before (22 MiB, seed job after 1,100 calls)", fmt.Sprintf("%.1f MiB", peak), peak <= 22)

	// Where the init goes.
	t = table{head: []string{"step", "claimsmapper, seed mapping", "aws-lambda-go hello"}}
	helloPkg, seedPkg := n.get(pi, "hello-pkg-init-ms")*1e6, n.get(pi, "seed-pkg-init-ms")*1e6
	t.add("the whole init, as the emulator reports it", duration(seedInit), duration(helloInit))
	t.add("package initialisers (`GODEBUG=inittrace=1`)", duration(seedPkg), duration(helloPkg))
	var steps float64
	for _, st := range []struct{ name, label string }{
		{"aws-config", "AWS region, credentials and endpoints from the environment"},
		{"dynamodb-store", "the DynamoDB store (no connection yet)"},
		{"metrics", "the metrics' settings"},
		{"mapping-text", "the mapping's text (inline)"},
		{"mapping-compile", "parse, check and compile the mapping"},
	} {
		v := n.get("BenchmarkInit/"+st.name, "ns/op")
		steps += v
		t.add(st.label, duration(v), "—")
	}
	t.add("the rest: starting the process, loading the binary, the Go runtime, asking for the first event",
		duration(seedInit-seedPkg-steps), duration(helloInit-helloPkg))
	r.InitSteps = t.String()

	// DynamoDB.
	proj, whole := n.get("BenchmarkDynamoDBCost/projection", "resp-bytes/op"), n.get("BenchmarkDynamoDBCost/whole-item", "resp-bytes/op")
	t = table{head: []string{"case", "requests per event", "response bytes"}}
	t.add("30-attribute item, mapping reads 2 (computed projection)", count(n.get("BenchmarkDynamoDBCost/projection", "requests/op")), count(proj))
	t.add("the same item fetched whole", "1", count(whole))
	r.DynamoDB = t.String()
	three := n.get("BenchmarkDynamoDBCost/three-sources-50ms", "ns/op")
	inFlight := n.get("BenchmarkDynamoDBCost/three-sources-50ms", "min-in-flight")
	r.DynamoDB += fmt.Sprintf("\nThe projection returns %s fewer bytes. Three independent sources, each held 50 ms: an event takes %s, with %s requests in flight at once.\n",
		ratio(whole/proj), duration(three), count(inFlight))
	g.add("three sources behind 50 ms take about 50 ms, not 150", duration(three), three < 100e6)

	// The studio's keystroke: one evaluate request with ten inline tests.
	const studio = "BenchmarkEvaluateTenTests"
	t = table{head: []string{"evaluate request, 10 inline tests", "ns/op", "B/op", "allocs/op", "YAML parses", "compiles"}}
	t.add("before (each environment parsed and compiled the mapping again; measured once, at 30107c4^; config.Parse calls)", "11–25 ms", "3,733,405", "52,737", "24", "23")
	t.add("before (the tests: section parsed apart, twice; median of 5, at bd534ea)", "1.9 ms", "679,676", "9,274", "3", "1")
	parses, compiles := n.get(studio, "parses/op"), n.get(studio, "compiles/op")
	t.add("now", duration(n.get(studio, "ns/op")), count(n.get(studio, "B/op")), count(n.get(studio, "allocs/op")), count(parses), count(compiles))
	r.Studio = t.String()
	g.add("the studio's keystroke parses the mapping's YAML once and compiles it once, whatever its tests", fmt.Sprintf("%s parse, %s compile", count(parses), count(compiles)), parses == 1 && compiles == 1)

	// Packages.
	if len(res.packages) == 0 && n.err == nil {
		n.err = fmt.Errorf("no package sizes in the output: `make package` prints them")
	}
	t = table{head: []string{"package", "bootstrap (bytes)", "zip (bytes)"}}
	var zips []string
	under := len(res.packages) > 0
	for _, p := range res.packages {
		t.add(fmt.Sprintf("`dist/claimsmapper-%s.zip`", p.Arch), count(float64(p.Bootstrap)), count(float64(p.Zip)))
		zips = append(zips, fmt.Sprintf("%s %s", p.Arch, megabytes(float64(p.Zip))))
		under = under && p.Zip < 4e6
	}
	r.Packages = t.String()
	g.add("deployment zip under 4 MB (`make package`, each architecture)", strings.Join(zips, ", "), under)

	r.Goals = g.String()
	return r, n.err
}

// goals is the table of the goals with what was measured.
type goals struct{ t table }

func (g *goals) add(goal, measured string, met bool) {
	if g.t.head == nil {
		g.t.head = []string{"goal", "measured", "met"}
	}
	g.t.add(goal, measured, map[bool]string{true: "yes", false: "**no**"}[met])
}

func (g *goals) String() string { return g.t.String() }

// table is a Markdown table; columns after the first are right-aligned.
type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(t.head, " | ") + " |\n|")
	for i := range t.head {
		if i == 0 {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}
