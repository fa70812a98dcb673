package mapper

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/claimsmapper/claimsmapper/internal/jsontext"
)

// The response writer. Handle used to build a struct and json.Marshal
// it; that cost a quarter of an event's time, most of it in encoding/json
// sorting each claims map by reflection. appendResponse writes the same
// bytes (TestAppendResponseMatchesMarshal holds it to that) straight into
// the output buffer, taking the claims in an order sorted once at compile
// time. Values of kinds it does not know go through json.Marshal.

var errNotFinite = errors.New("a claim value is not a finite number, which JSON cannot hold")

// appendResponse appends r's "response" object, byte for byte as
// json.Marshal writes Cognito's response shape. names lists the claim names
// in sorted order; claims not in it are still written, at the price of a
// sort.
func appendResponse(b []byte, r *Result, names []string) ([]byte, error) {
	var err error
	if r.Version == "1" {
		b = append(b, `{"claimsOverrideDetails":`...)
		if b, err = appendClaims(b, r.IDClaims, r.IDSuppress, names); err != nil {
			return nil, err
		}
		b = append(b, `,"groupOverrideDetails":`...)
		b = appendGroups(b, r.Groups)
		return append(b, "}}"...), nil
	}
	b = append(b, `{"claimsAndScopeOverrideDetails":{`...)
	if !r.NoIDToken {
		b = append(b, `"idTokenGeneration":`...)
		if b, err = appendClaims(b, r.IDClaims, r.IDSuppress, names); err != nil {
			return nil, err
		}
		b = append(b, "},"...)
	}
	b = append(b, `"accessTokenGeneration":`...)
	if b, err = appendClaims(b, r.AccessClaims, r.AccessSuppress, names); err != nil {
		return nil, err
	}
	b = append(b, `,"scopesToAdd":`...)
	b = appendStrings(b, r.ScopesAdd)
	b = append(b, `,"scopesToSuppress":`...)
	b = appendStrings(b, r.ScopesSuppress)
	b = append(b, `},"groupOverrideDetails":`...)
	b = appendGroups(b, r.Groups)
	return append(b, "}}"...), nil
}

// appendClaims opens a token's object and writes its claimsToAddOrOverride
// and claimsToSuppress; the caller adds what follows and closes it.
func appendClaims(b []byte, claims map[string]any, suppress, names []string) ([]byte, error) {
	b = append(b, `{"claimsToAddOrOverride":`...)
	b, err := appendObject(b, claims, names)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"claimsToSuppress":`...)
	return appendStrings(b, suppress), nil
}

func appendGroups(b []byte, g GroupConfig) []byte {
	b = append(b, `{"groupsToOverride":`...)
	b = appendStrings(b, g.Groups)
	b = append(b, `,"iamRolesToOverride":`...)
	b = appendStrings(b, g.IAMRoles)
	b = append(b, `,"preferredRole":`...)
	if g.PreferredRole == nil {
		b = append(b, "null"...)
	} else {
		b = jsontext.AppendString(b, *g.PreferredRole)
	}
	return append(b, '}')
}

// appendStrings writes a list of text; nil is written [] like orEmpty.
func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendString(b, s)
	}
	return append(b, ']')
}

// appendObject writes m with its keys in sorted order, as encoding/json
// does. When sorted holds every key of m it is that order; otherwise the
// keys are sorted here. A nil map is written {} like orEmptyMap.
func appendObject(b []byte, m map[string]any, sorted []string) ([]byte, error) {
	found := 0
	for _, k := range sorted {
		if _, ok := m[k]; ok {
			found++
		}
	}
	if found != len(m) {
		sorted = slices.Sorted(maps.Keys(m))
	}
	b = append(b, '{')
	first := true
	var err error
	for _, k := range sorted {
		v, ok := m[k]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsontext.AppendString(b, k)
		b = append(b, ':')
		if b, err = appendValue(b, v); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendValue writes one claim value as json.Marshal does.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsontext.AppendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		return appendFloat(b, x)
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendStrings(b, x), nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		var err error
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendObject(b, x, nil)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, out...), nil
}

// appendFloat is encoding/json's float64 format: no exponent between 1e-6
// and 1e21, and a two-digit exponent written without its leading zero.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errNotFinite
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 becomes e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}
