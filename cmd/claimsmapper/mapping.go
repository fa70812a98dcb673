package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

type configMapping = config.Mapping

// compileMapping is the one place diff, publish and rollback turn a
// mapping's text into a runnable mapping, exactly as the function does.
// Its ${NAME} read only what CLAIMS_MAPPING_ENV allows in this process, as
// the function's.
func compileMapping(name string, src []byte, env func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	allow, err := config.AllowedEnv(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	mp, findings := mapper.Load(src, mapper.LoadOptions{File: name, Config: config.Options{LookupEnv: env, AllowEnv: allow}, Store: store, Logger: log})
	if err := config.Errors(findings); err != nil {
		return nil, err
	}
	return mp, nil
}

// readMappingRef reads a mapping from a file, standard input ("-") or
// s3://bucket/key[?versionId=V].
func readMappingRef(ctx context.Context, ref string, stdin io.Reader) ([]byte, error) {
	if !strings.HasPrefix(ref, "s3://") {
		src, err := readInput(ref, stdin)
		if err != nil {
			return nil, fmt.Errorf("cannot read the mapping: %w", err)
		}
		return src, nil
	}
	loc, err := publish.ParseLocation(ref)
	if err != nil {
		return nil, err
	}
	client, err := mappingfile.NewS3Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	obj, err := publish.Get(ctx, client, loc)
	if err != nil {
		return nil, err
	}
	if !obj.Exists {
		return nil, fmt.Errorf("%s does not exist", ref)
	}
	return obj.Text, nil
}

// usersFileKeys reads --users FILE[:TABLE]: a list of user names or subs,
// or a data file whose user table lists the users.
func usersFileKeys(spec string, mappings []*configMapping) ([]changes.Key, error) {
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
		keys, err := changes.ParseUsers(path, src)
		if err != nil {
			return nil, err
		}
		// A line is what the user is found by: when the mapping reads the
		// user by another event field (the sub, an attribute), that field
		// gets the line too.
		ut := userTable(table, mappings)
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
	ut := userTable(table, mappings)
	if ut.Table == "" {
		return nil, fmt.Errorf("%s: the mapping reads no table by the signing-in user's name or sub: name the table, as --users %s:TABLE", path, path)
	}
	items, err := data.Items(ut.Table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return changes.KeysFromItems(items, ut)
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

func newDynamoClient(ctx context.Context) (*dynamodb.Client, error) {
	client, err := dynamo.NewClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB: %w", err)
	}
	return client, nil
}
