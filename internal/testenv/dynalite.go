package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// DynamoDB is a dynalite server on loopback, in memory, with a client for
// setting up tables.
type DynamoDB struct {
	// Endpoint is the server's URL, for AWS_ENDPOINT_URL_DYNAMODB.
	Endpoint string
	// Client talks to the server with test credentials, for setting up.
	Client *dynamodb.Client
	// API is the client claimsmapper reads tables with (dynamo.API), with
	// the same credentials.
	API  *awsapi.DynamoDB
	proc *process
}

// StartDynamoDB starts dynalite on a free loopback port; it stops when the
// test ends. dynalite comes from node_modules next to this file (npm ci here).
func StartDynamoDB(t testing.TB) *DynamoDB {
	t.Helper()
	Integration(t)
	node, cli := nodeServer(t, "dynalite", "cli.js")
	var lastErr error
	// dynalite cannot listen on port 0 (it takes 0 for its default port), so
	// pick a free port and retry if another process takes it first.
	for range 3 {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
			"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
		p, err := startProcess(cmd, "Dynalite listening", 20*time.Second)
		if err != nil {
			lastErr = err
			continue
		}
		d := &DynamoDB{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), proc: p}
		d.Client = dynamodb.New(dynamodb.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(d.Endpoint),
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		})
		d.API = awsapi.NewDynamoDB(awsapi.Config{Region: "us-east-1", Endpoints: map[string]string{"dynamodb": d.Endpoint},
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
		t.Cleanup(d.Stop)
		return d
	}
	Unavailable(t, "dynalite did not start: %v", lastErr)
	return nil
}

// Stop stops the server; lookups after it fail with connection refused.
func (d *DynamoDB) Stop() { d.proc.stop() }

// Output is what the server printed.
func (d *DynamoDB) Output() string { return d.proc.out.String() }

// Table describes a table with string keys.
type Table struct {
	Name    string
	PK, SK  string // SK may be empty
	Indexes []Index
}

// Index is a global secondary index with string keys, projecting everything.
type Index struct {
	Name, PK, SK string
}

// CreateTable creates a table and waits until it is active.
func (d *DynamoDB) CreateTable(t testing.TB, tb Table) {
	t.Helper()
	ctx, cancel := waitContext(10 * time.Second)
	defer cancel()
	attrs := map[string]bool{}
	keys := func(pk, sk string) []types.KeySchemaElement {
		ks := []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}}
		attrs[pk] = true
		if sk != "" {
			ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
			attrs[sk] = true
		}
		return ks
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(tb.Name),
		KeySchema:   keys(tb.PK, tb.SK),
		BillingMode: types.BillingModePayPerRequest,
	}
	for _, ix := range tb.Indexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keys(ix.PK, ix.SK),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	for a := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a), AttributeType: types.ScalarAttributeTypeS,
		})
	}
	if _, err := d.Client.CreateTable(ctx, in); err != nil {
		t.Fatalf("create table %q: %v", tb.Name, err)
	}
	w := dynamodb.NewTableExistsWaiter(d.Client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tb.Name)}, 10*time.Second); err != nil {
		t.Fatalf("table %q not active: %v", tb.Name, err)
	}
}

// Put writes items, given as Go values and marshalled with attributevalue.
func (d *DynamoDB) Put(t testing.TB, table string, items ...map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, it := range items {
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			t.Fatalf("marshal item: %v", err)
		}
		if _, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: av}); err != nil {
			t.Fatalf("put item in %q: %v", table, err)
		}
	}
}
