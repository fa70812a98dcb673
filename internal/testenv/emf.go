package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// EMF is one CloudWatch Embedded Metric Format document, decoded.
type EMF map[string]any

// Metric returns the value of the named member as a number, and whether it
// is there.
func (d EMF) Metric(name string) (float64, bool) {
	v, ok := d[name].(float64)
	return v, ok
}

// CheckEMF decodes one log line and checks it against the Embedded Metric
// Format specification: an _aws object with a millisecond Timestamp and a
// CloudWatchMetrics array of directives, each with a Namespace, Dimensions
// (arrays of at most 30 names, each a string member of the document) and
// Metrics (at most 100, each naming a numeric member, with an optional
// known Unit). It returns the document, or what is wrong with it.
func CheckEMF(line []byte) (EMF, error) {
	var doc EMF
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	aws, ok := doc["_aws"].(map[string]any)
	if !ok {
		return nil, errors.New("no _aws object")
	}
	if ts, ok := aws["Timestamp"].(float64); !ok || ts < 1e12 || ts != float64(int64(ts)) {
		return nil, fmt.Errorf("_aws.Timestamp %v is not a time in milliseconds", aws["Timestamp"])
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		return nil, errors.New("_aws.CloudWatchMetrics is not a non-empty array")
	}
	for i, d := range directives {
		dir, ok := d.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("CloudWatchMetrics[%d] is not an object", i)
		}
		if ns, ok := dir["Namespace"].(string); !ok || ns == "" || len(ns) > 255 {
			return nil, fmt.Errorf("CloudWatchMetrics[%d].Namespace %v is not a namespace", i, dir["Namespace"])
		}
		sets, ok := dir["Dimensions"].([]any)
		if !ok {
			return nil, fmt.Errorf("CloudWatchMetrics[%d].Dimensions is not an array", i)
		}
		for j, s := range sets {
			set, ok := s.([]any)
			if !ok || len(set) > 30 {
				return nil, fmt.Errorf("CloudWatchMetrics[%d].Dimensions[%d] is not an array of at most 30 names", i, j)
			}
			for _, n := range set {
				name, _ := n.(string)
				if v, ok := doc[name].(string); !ok || v == "" {
					return nil, fmt.Errorf("dimension %v has no string member in the document", n)
				}
			}
		}
		metrics, ok := dir["Metrics"].([]any)
		if !ok || len(metrics) == 0 || len(metrics) > 100 {
			return nil, fmt.Errorf("CloudWatchMetrics[%d].Metrics is not an array of 1 to 100 metrics", i)
		}
		for _, m := range metrics {
			def, ok := m.(map[string]any)
			name, _ := def["Name"].(string)
			if !ok || name == "" {
				return nil, fmt.Errorf("CloudWatchMetrics[%d] has a metric without a Name", i)
			}
			if u, has := def["Unit"]; has && !emfUnits[fmt.Sprint(u)] {
				return nil, fmt.Errorf("metric %s has unit %v, not a CloudWatch unit", name, u)
			}
			if _, ok := doc[name].(float64); !ok {
				return nil, fmt.Errorf("metric %s has no numeric member in the document", name)
			}
		}
	}
	return doc, nil
}

// emfUnits are the units CloudWatch knows that the function might use.
var emfUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Count": true, "Percent": true, "None": true,
}

// EMFLines returns the EMF documents among log lines: the lines with an
// _aws member.
func EMFLines(out []byte) [][]byte {
	var lines [][]byte
	for _, l := range bytes.Split(out, []byte("\n")) {
		if bytes.Contains(l, []byte(`"_aws":`)) {
			lines = append(lines, l)
		}
	}
	return lines
}
