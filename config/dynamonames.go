package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A table or index name goes into an IAM policy (iam-policy, the CDK
// construct) as part of an ARN, where "*" and "?" are wildcards and "/"
// and ":" separate parts. DynamoDB's own rule is narrower than all of
// them: a name is 3 to 255 letters, digits, "_", "-" and ".". A mapping
// whose name breaks it (after ${NAME} is filled in) is refused at load,
// so no policy is ever derived from "*", "Tenants/index/*" or an ARN.
const (
	minDynamoName = 3
	maxDynamoName = 255
)

// dynamoNameChars is the whole alphabet of a DynamoDB table or index name.
var dynamoNameChars = regexp.MustCompile(`^[A-Za-z0-9_.-]*$`)

// dynamoNameReason says why name is not a DynamoDB table or index name,
// or "" when it is one.
func dynamoNameReason(name string) string {
	if bad := badNameChars(name); bad != "" {
		return fmt.Sprintf("it contains %s; a name has only letters, digits, _, - and .", bad)
	}
	if n := len(name); n < minDynamoName || n > maxDynamoName {
		return fmt.Sprintf("it has %d characters, and a name has %d to %d", n, minDynamoName, maxDynamoName)
	}
	return ""
}

// badNameChars lists, quoted, the distinct characters of s outside a
// DynamoDB name's alphabet; "" when there are none.
func badNameChars(s string) string {
	if dynamoNameChars.MatchString(s) {
		return ""
	}
	var bad []string
	seen := map[rune]bool{}
	for _, r := range s {
		if dynamoNameChars.MatchString(string(r)) || seen[r] {
			continue
		}
		seen[r] = true
		bad = append(bad, fmt.Sprintf("%q", r))
		if len(bad) == 5 {
			bad = append(bad, "…")
			break
		}
	}
	return strings.Join(bad, ", ")
}

// dynamoName reads a table or index setting and checks that it is a
// DynamoDB name. A setting with ${NAME} references is kept as written, for
// Bind to fill in and check. When a "${" in it is malformed (its finding is
// already reported), only the text written around the references is
// checked.
func (p *parser) dynamoName(n *yaml.Node, path, kind, raw string) string {
	refs, ok := p.scan(n, path, raw)
	if len(refs) > 0 {
		p.slots = append(p.slots, &slot{raw: raw, refs: refs, path: path, kind: kind, source: p.cur, pos: Pos{n.Line, n.Column}, syntaxErr: !ok})
		return raw
	}
	name := render(raw, nil)
	if !ok {
		if bad := badNameChars(literalText(raw)); bad != "" {
			p.errorf(n, path, "dynamo-name", "%s %q is not a DynamoDB %s name: it contains %s; a name has only letters, digits, _, - and .", kind, clip(raw), kind, bad)
		}
		return name
	}
	why := dynamoNameReason(name)
	switch {
	case why == "":
	case name != raw:
		p.errorf(n, path, "dynamo-name", "%s %q is %q once its ${…} are filled in, which is not a DynamoDB %s name: %s", kind, clip(raw), clip(name), kind, why)
	default:
		p.errorf(n, path, "dynamo-name", "%s %q is not a DynamoDB %s name: %s", kind, clip(name), kind, why)
	}
	return name
}

// literalText is s without its ${…} references.
func literalText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i:], '}'); end >= 0 {
				i += end + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
