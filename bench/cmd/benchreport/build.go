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
	Budget, BudgetCost                                       string
	Honesty, StepNs                                          string
	Goals                                                    string
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

	// The five engines.
	ns := map[string]float64{}
	for _, e := range engines {
		ns[e] = n.get("BenchmarkEngines/"+e, "ns/op")
	}
	// Both ratio columns are times: 2.00x takes twice as long.
	t := table{head: []string{"engine", "ns/op", "B/op", "allocs/op", "vs hand-written", "vs mapper"}}
	for _, e := range engines {
		name := "BenchmarkEngines/" + e
		t.add(e, count(ns[e]), count(n.get(name, "B/op")), count(n.get(name, "allocs/op")),
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
		t.add(c+" the budget", count(n.get(name, "ns/op")), count(cpu), count(n.get(name, "B/op")), count(n.get(name, "allocs/op")), ratio(cpu/without))
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

	// Cold start.
	t = table{head: []string{"function", "process start to first answer", "more than hand-written", "init", "more than hand-written"}}
	cold, coldInit := n.get("BenchmarkColdStart/handwritten", "ns/op"), n.get("BenchmarkColdStart/handwritten", "init-ms")*1e6
	for _, f := range []struct{ name, label string }{{"handwritten", "hand-written Go, seed job"},
		{"seed", "claimsmapper, seed mapping"}, {"claims100", "claimsmapper, 100 claims"}} {
		v, init := n.get("BenchmarkColdStart/"+f.name, "ns/op"), n.get("BenchmarkColdStart/"+f.name, "init-ms")*1e6
		if f.name == "handwritten" {
			t.add(f.label, duration(v), "(baseline)", duration(init), "(baseline)")
			continue
		}
		t.add(f.label, duration(v), signed(v-cold), duration(init), signed(init-coldInit))
	}
	r.ColdStart = t.String()

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

	// Packages.
	if len(res.packages) == 0 && n.err == nil {
		n.err = fmt.Errorf("no package sizes in the output: `make package` prints them")
	}
	t = table{head: []string{"package", "bootstrap (bytes)", "zip (bytes)"}}
	for _, p := range res.packages {
		t.add(fmt.Sprintf("`dist/claimsmapper-%s.zip`", p.Arch), count(float64(p.Bootstrap)), count(float64(p.Zip)))
	}
	r.Packages = t.String()

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
