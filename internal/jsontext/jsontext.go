package jsontext

import "encoding/json"

// AppendString appends s quoted as encoding/json quotes it (HTML
// characters escaped, invalid UTF-8 replaced). Names and most values are
// plain ASCII, so the common case copies them as they are.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			out, _ := json.Marshal(s) // a string always encodes
			return append(b, out...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
