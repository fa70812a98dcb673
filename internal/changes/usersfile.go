package changes

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/localdata"
)

// UsersFromFile reads the users diff compares from FILE[:TABLE]: a list of
// user names or subs, or a data file whose user table lists the users.
// mappings say how a user is found (the new mapping last).
func UsersFromFile(spec string, mappings []*config.Mapping) ([]Key, error) {
	path, table := spec, ""
	if _, err := os.Stat(spec); err != nil {
		if i := strings.LastIndex(spec, ":"); i > 0 {
			path, table = spec[:i], spec[i+1:]
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the users: %w", err)
	}
	if !isDataFile(src) {
		if table != "" {
			return nil, fmt.Errorf("%s is a list of users, not a data file with tables: drop %q", path, ":"+table)
		}
		keys, err := ParseUsers(path, src)
		if err != nil {
			return nil, err
		}
		// A line is what the user is found by: when the mapping reads the
		// user by another event field (the sub, an attribute), that field
		// gets the line too.
		ut := UserTableOf(table, mappings)
		for _, k := range keys {
			for _, field := range ut.Fields {
				if _, set := k[field]; !set {
					k[field] = k["userName"]
				}
			}
		}
		return keys, nil
	}
	data, err := localdata.Parse(path, src)
	if err != nil {
		return nil, err
	}
	ut := UserTableOf(table, mappings)
	if ut.Table == "" {
		return nil, fmt.Errorf("%s: the mapping reads no table by the signing-in user's name or sub: name the table, as --users %s:TABLE", path, path)
	}
	items, ok := data.Rows(ut.Table)
	if !ok {
		return nil, fmt.Errorf("%s: table %q is not in the data file", path, ut.Table)
	}
	return KeysFromItems(items, ut)
}

// isDataFile tells a data file (tables: …) from a list of users.
func isDataFile(src []byte) bool {
	for _, line := range bytes.Split(src, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		return strings.HasPrefix(s, "tables:") || strings.HasPrefix(s, "{")
	}
	return false
}

// UserTableOf finds how the mappings (the last one first) read the user
// from table, or from any table when table is "".
func UserTableOf(table string, mappings []*config.Mapping) UserTable {
	for i := len(mappings) - 1; i >= 0; i-- {
		if ut, ok := FindUserTable(mappings[i], table); ok {
			return ut
		}
	}
	return UserTable{Table: table}
}
