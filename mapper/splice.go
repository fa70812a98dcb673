package mapper

import (
	"bytes"
	"errors"
)

// responseSpan finds where the event's top-level "response" value lies:
// event[start:end], with prefix to write before the new value. When the
// event has no response, start == end is its closing brace and prefix
// holds the key. Every other byte of the event is kept as it came, so
// fields claimsmapper does not know reach Cognito unchanged. event must be
// a valid JSON object (DecodeEvent has checked it).
func responseSpan(event []byte) (start, end int, prefix string, err error) {
	i := skipSpace(event, 0)
	if i >= len(event) || event[i] != '{' {
		return 0, 0, "", errors.New("the event is not a JSON object")
	}
	i++
	for {
		i = skipSpace(event, i)
		if i >= len(event) {
			return 0, 0, "", errors.New("the event ends too early")
		}
		if event[i] == '}' {
			// Not found: insert before the closing brace.
			prefix = `,"response":`
			if len(bytes.TrimSpace(event[1:i])) == 0 {
				prefix = `"response":`
			}
			return i, i, prefix, nil
		}
		if event[i] == ',' {
			i++
			continue
		}
		keyStart := i
		keyEnd := skipString(event, i)
		i = skipSpace(event, keyEnd)
		if i >= len(event) || event[i] != ':' {
			return 0, 0, "", errors.New("the event is not a JSON object")
		}
		valStart := skipSpace(event, i+1)
		valEnd := skipValue(event, valStart)
		if isKey(event[keyStart:keyEnd], "response") {
			return valStart, valEnd, "", nil
		}
		i = valEnd
	}
}

// isKey compares a raw JSON string token with name. Keys with escapes never
// match: Cognito writes "response" plainly.
func isKey(tok []byte, name string) bool {
	return len(tok) == len(name)+2 && string(tok[1:len(tok)-1]) == name
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just after the JSON value starting at i.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	return i
}
